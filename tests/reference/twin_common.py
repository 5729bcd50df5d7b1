"""Shared by the train_*_twin.py scripts: how a run is recorded in its JSON file."""
import json
import os
import pathlib
import shlex
import sys


def command_line():
    """This run's command as a reader would type it from the repository's top: python3 and
    paths relative to the current directory, so the JSON names no path of the machine."""
    def relative(arg):
        return os.path.relpath(arg) if os.path.isabs(arg) else arg
    return shlex.join(["python3"] + [relative(a) for a in sys.argv])


def write_json(name, figures):
    """Writes `figures` to the file `name` (its folder made if missing), indented."""
    path = pathlib.Path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(figures, indent=2) + "\n")
