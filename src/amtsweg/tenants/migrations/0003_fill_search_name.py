from django.db import migrations


def fill_search_name(apps, schema_editor):
    """Give municipalities created before the field existed their case-folded search name."""
    Municipality = apps.get_model("tenants", "Municipality")
    for municipality in Municipality.objects.all():
        municipality.search_name = f"{municipality.short_name} {municipality.name}".casefold()
        municipality.save(update_fields=["search_name"])


class Migration(migrations.Migration):
    dependencies = [("tenants", "0002_search_name_and_strict_keys")]

    operations = [migrations.RunPython(fill_search_name, migrations.RunPython.noop)]
