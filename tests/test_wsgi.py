"""The WSGI module that gunicorn loads in each web worker."""

import os
import subprocess
import sys


def test_the_loaded_application_is_kept_out_of_the_garbage_collectors_walks():
    probe = "import gc, amtsweg.wsgi; print(gc.get_freeze_count(), len(gc.get_objects()))"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "amtsweg.settings"}
    answer = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True
    )
    frozen, still_tracked = map(int, answer.stdout.split())
    assert frozen > 10 * still_tracked  # Django and the apps, loaded at import
