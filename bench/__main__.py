import signal
import sys

from bench.run import Terminated, stop_on_sigterm

stop_on_sigterm()

if sys.argv[1:2] == ["backoffice"]:
    from bench.backoffice import main
elif sys.argv[1:2] == ["documents"]:
    from bench.documents import main
elif sys.argv[1:2] == ["pages"]:
    from bench.pages import main
elif sys.argv[1:2] == ["instructions"]:
    from bench.instructions import main
else:
    from bench.run import main

try:
    sys.exit(main(sys.argv[2:] if main.__module__ != "bench.run" else None))
except Terminated:
    sys.exit(128 + signal.SIGTERM)
