#!/usr/bin/env python3
"""sigscan corpus Python sample: harmless, never run."""
import base64

print(base64.b64decode(b'Y29ycHVzIHNhbXBsZQ==').decode())
