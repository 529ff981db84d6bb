#!/bin/sh
# Look-alike CA certificates for the bounded chain-building test (issue 16 item 2): twelve
# self-signed CA certificates with the same name and the same key (different serials), and a
# code-signing leaf issued by that name and key. No trusted root anchors them.
set -eu
cd "$(dirname "$0")"
openssl ecparam -name prime256v1 -genkey -noout -out ca.key
openssl ecparam -name prime256v1 -genkey -noout -out leaf.key
: > lookalikes.pem
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
  openssl req -x509 -new -key ca.key -subj "/O=ocidig-test/CN=look-alike CA" -days 36500 -set_serial "$i" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" \
    -not_before 20240101000000Z -not_after 20990101000000Z -out "ca$i.pem" 2>/dev/null \
  || openssl req -x509 -new -key ca.key -subj "/O=ocidig-test/CN=look-alike CA" -days 36500 -set_serial "$i" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" -out "ca$i.pem"
  cat "ca$i.pem" >> lookalikes.pem
  rm "ca$i.pem"
done
printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=codeSigning\nsubjectAltName=email:signer@example.test\n' > leaf.ext
openssl req -new -key leaf.key -subj "/O=ocidig-test" -out leaf.csr
head -n "$(grep -n 'END CERTIFICATE' lookalikes.pem | head -1 | cut -d: -f1)" lookalikes.pem > ca1.pem
openssl x509 -req -in leaf.csr -CA ca1.pem -CAkey ca.key -set_serial 100 -days 36500 -extfile leaf.ext -out leaf.pem
rm -f leaf.csr leaf.ext ca1.pem ca.key leaf.key
