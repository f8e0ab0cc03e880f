"""The WSGI application that gunicorn serves (``amtsweg serve``)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amtsweg.settings")
application = get_wsgi_application()

# What is loaded by now (Django, the apps, their models and modules) lives as long as the
# worker: moved out of the garbage collector's sight, its full collections no longer walk the
# 150,000 objects on every run, several milliseconds per citizen journey (issue 9).
gc.freeze()
