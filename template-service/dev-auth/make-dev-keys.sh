#!/usr/bin/env bash
# Makes a laptop's token issuer: an RSA key pair in dev-auth/keys/ (private.pem stays there; jwks.json
# is its public half, which the service reads through AUTH_JWKS_URL=file:...). Prints the settings
# that make a service trust it, for `eval "$(dev-auth/make-dev-keys.sh)"` before `./mvnw mn:run`.
# compose.yaml reads the same keys. A deployed service never trusts them: it reads its keys from its
# Cognito user pool over https (its AUTH_JWKS_URL is never a file: URL).
# Run it again to keep the keys (it makes them only once); delete dev-auth/keys/ for new ones.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
keys="$here/keys"
mkdir -p "$keys"

base64url() {
  openssl base64 -A | tr '+/' '-_' | tr -d '='
}

if [ ! -f "$keys/private.pem" ]; then
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$keys/private.pem" 2>/dev/null
  chmod 600 "$keys/private.pem"
  modulus=$(openssl rsa -in "$keys/private.pem" -noout -modulus | sed 's/^Modulus=//' | xxd -r -p | base64url)
  printf '{"keys":[{"kty":"RSA","alg":"RS256","use":"sig","kid":"dev-key","e":"AQAB","n":"%s"}]}\n' \
    "$modulus" > "$keys/jwks.json"
  echo "Made a laptop token issuer in $keys (private.pem, jwks.json)." >&2
fi

echo "export AUTH_ISSUER=http://localhost/dev-issuer"
echo "export AUTH_JWKS_URL=file:$keys/jwks.json"
echo "export AUTH_AUDIENCES=local-dev"
