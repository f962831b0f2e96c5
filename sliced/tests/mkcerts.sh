#!/bin/sh
# Certificates for the handshake tests, made the way the controller issues them: a slice
# CA, and per gateway a leaf whose DNS subject alternative name is the gateway name.
#   mkcerts.sh DIR
set -eu
dir=$1
cd "$dir"
ca() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
		-subj "/CN=$1" -keyout "$1.key" -out "$1.crt" 2>/dev/null
}
# leaf FILE CA GATEWAY-NAME
leaf() {
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$3" \
		-keyout "$1.key" -out "$1.csr" 2>/dev/null
	printf 'subjectAltName=DNS:%s\n' "$3" >"$1.ext"
	openssl x509 -req -in "$1.csr" -CA "$2.crt" -CAkey "$2.key" -CAcreateserial -days 2 \
		-extfile "$1.ext" -out "$1.crt" 2>/dev/null
}
ca slice-ca
ca other-ca
leaf c1 slice-ca red-c1-c2
leaf c2 slice-ca red-c2-c1
leaf c9 slice-ca red-c9-c1
leaf c1-other other-ca red-c1-c2
cat slice-ca.crt other-ca.crt >both-ca.crt
