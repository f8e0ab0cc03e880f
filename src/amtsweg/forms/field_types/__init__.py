"""The built-in field types, one module per family. Importing this package registers them all.

- ``free_text``: text, textarea, email, phone
- ``numbers``: number, decimal, currency
- ``dates``: date, time
- ``choices``: choice, yesno, select, multichoice, codelist
- ``identifiers``: postcode, iban, tax_id, ags
- ``notice``: notice (holds no data)
- ``address``: address (street, house number, addition, postcode, town as one answer)
- ``files``: file (uploads; the files themselves are kept by the submissions app)
"""

from amtsweg.forms.field_types import (  # noqa: F401  (each module registers its types)
    address,
    choices,
    dates,
    files,
    free_text,
    identifiers,
    notice,
    numbers,
)
