"""The session-signing key: from settings, else generated once and kept in ``instance/``."""

import os
import secrets
import tempfile
from contextlib import suppress
from pathlib import Path


def load_secret_key(instance_path):
    """Return the key stored in ``instance/secret_key``, creating it (mode 600) on first use.

    The key is written whole to a temporary file and then linked into place, so a process
    starting at the same moment reads either no file or the complete key, never an empty one;
    of processes racing to create it, the first link wins and the others read its key.
    """
    path = instance_path / "secret_key"
    if not path.exists():
        fd, written = tempfile.mkstemp(dir=instance_path, prefix=".secret_key-")  # mode 600
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
                handle.flush()
                os.fsync(handle.fileno())
            os.link(written, path)
        except FileExistsError:
            pass  # another process put its key in place first: use that one
        except OSError:  # a file system without hard links: create it, if no one did
            with suppress(FileExistsError):
                descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(descriptor, "w") as handle:
                    handle.write(Path(written).read_text())
        finally:
            os.unlink(written)
    key = path.read_text().strip()
    if not key:
        raise RuntimeError(f"{path} is empty: delete it (a new key is made) or set SECRET_KEY")
    return key
