#!/usr/bin/env bash
# Regenerates the TEST-ONLY certificate authority and server certificate in this folder (see SOURCES.md).
# Never trust ca.pem outside the tests: its private key is public.
set -euo pipefail
cd "$(dirname "$0")"
days=36525 # 100 years
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days "$days" \
  -keyout ca.key -out ca.pem -subj "/O=halocline tests/CN=halocline test CA (do not trust)" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout server.key -out server.csr \
  -subj "/O=halocline tests/CN=localhost"
cat > server.ext <<'EXT'
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1
EXT
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days "$days" -extfile server.ext -out server.pem
openssl pkcs8 -topk8 -nocrypt -in server.key -out server.key.pkcs8 && mv server.key.pkcs8 server.key
rm -f server.csr server.ext ca.srl ca.key
