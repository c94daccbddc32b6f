#!/usr/bin/env bash
# Prints an access token from the laptop issuer of make-dev-keys.sh (run that first), valid for an
# hour, for the caller and scopes given:
#   dev-auth/token.sh                      caller "dev-user", scopes "jobs:write jobs:read"
#   dev-auth/token.sh alice jobs:read      caller "alice", scope jobs:read only
# Use it as: curl -H "Authorization: Bearer $(dev-auth/token.sh)" ...
set -eu

here=$(cd "$(dirname "$0")" && pwd)
key="$here/keys/private.pem"
caller=${1:-dev-user}
scopes=${2:-jobs:write jobs:read}

if [ ! -f "$key" ]; then
  echo "No laptop issuer yet: run dev-auth/make-dev-keys.sh first." >&2
  exit 1
fi
case "$caller" in
  *[!A-Za-z0-9._@-]*|'')
    echo "The caller '$caller' must be letters, digits, '.', '_', '@' or '-'." >&2
    exit 1 ;;
esac
case "$scopes" in
  *[!a-z:\ -]*)
    echo "The scopes '$scopes' must be scope names (jobs:write, jobs:read, jobs:read-all) separated by spaces." >&2
    exit 1 ;;
esac

base64url() {
  openssl base64 -A | tr '+/' '-_' | tr -d '='
}

now=$(date +%s)
header=$(printf '{"alg":"RS256","kid":"dev-key","typ":"JWT"}' | base64url)
claims=$(printf '{"iss":"http://localhost/dev-issuer","sub":"%s","client_id":"local-dev","scope":"%s","token_use":"access","iat":%d,"exp":%d}' \
  "$caller" "$scopes" "$now" "$((now + 3600))" | base64url)
signature=$(printf '%s.%s' "$header" "$claims" | openssl dgst -sha256 -sign "$key" | base64url)
printf '%s.%s.%s\n' "$header" "$claims" "$signature"
