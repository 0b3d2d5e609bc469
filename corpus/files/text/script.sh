#!/bin/sh
# sigscan corpus shell script sample: harmless, never run.
set -eu
url="http://example.invalid/stage2.sh"
echo "would fetch $url"
echo 'Y29ycHVzIHNhbXBsZQ==' | base64 -d
