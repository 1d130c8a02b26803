"""The session-signing key: from settings, else generated once and kept in ``instance/``."""

import os
import secrets


def load_secret_key(instance_path):
    """Return the key stored in ``instance/secret_key``, creating it (mode 600) on first use."""
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it between our check and open
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
