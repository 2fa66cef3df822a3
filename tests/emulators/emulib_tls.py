# SPDX-License-Identifier: Apache-2.0
"""Part of emulib (tests/emulators/emulib.py): the throwaway CA and server certificate (made with the
``openssl`` command-line tool) and the server's TLS context."""

from __future__ import annotations

import os
import ssl
import subprocess
from dataclasses import dataclass
from typing import Iterable

from emulib_util import LOOPBACK



@dataclass(frozen=True)
class TlsMaterial:
    ca_file: str
    cert_file: str
    key_file: str


_OPENSSL_CNF = """\
[req]
distinguished_name = dn
prompt = no
[dn]
CN = placeholder
[v3_ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[v3_server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, {server_key_usage}
extendedKeyUsage = serverAuth
subjectAltName = {san}
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
"""


def _openssl(args: list[str], cwd: str) -> None:
    try:
        subprocess.run(["openssl", *args], cwd=cwd, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE)
    except FileNotFoundError:
        raise SystemExit("emulator: the 'openssl' command is required to create test certificates")
    except subprocess.CalledProcessError as e:
        raise SystemExit(f"emulator: openssl {' '.join(args[:2])} failed: {e.stderr.decode(errors='replace')}")


def generate_tls_material(state_dir: str, name: str, key_type: str = "ec",
                          dns_names: Iterable[str] = ("localhost",),
                          ip_addresses: Iterable[str] = (LOOPBACK,),
                          days: int = 30) -> TlsMaterial:
    """Create a fresh CA and a server certificate signed by it in ``state_dir``.

    ``key_type`` is ``ec`` (P-256, default, fastest) or ``rsa`` (2048 bit).  Produces ``ca.pem``,
    ``ca.key``, ``server.pem`` and ``server.key``; the CA is regenerated on every start.
    """
    os.makedirs(state_dir, exist_ok=True)
    state_dir = os.path.abspath(state_dir)
    san = ", ".join([f"IP:{ip}" for ip in ip_addresses] + [f"DNS:{d}" for d in dns_names])
    server_ku = "digitalSignature" if key_type == "ec" else "digitalSignature, keyEncipherment"
    cnf = os.path.join(state_dir, "openssl.cnf")
    with open(cnf, "w", encoding="ascii") as f:
        f.write(_OPENSSL_CNF.format(san=san, server_key_usage=server_ku))

    if key_type == "ec":
        keygen = ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]
    elif key_type == "rsa":
        keygen = ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]
    else:
        raise ValueError(f"unknown key type {key_type!r} (use ec or rsa)")

    serial = "0x" + os.urandom(12).hex()
    _openssl([*keygen, "-out", "ca.key"], state_dir)
    _openssl(["req", "-x509", "-new", "-config", cnf, "-extensions", "v3_ca", "-key", "ca.key",
              "-sha256", "-days", str(days), "-subj", f"/O=ccrec tests/CN=ccrec {name} throwaway CA",
              "-set_serial", serial, "-out", "ca.pem"], state_dir)
    _openssl([*keygen, "-out", "server.key"], state_dir)
    _openssl(["req", "-new", "-config", cnf, "-key", "server.key", "-subj",
              f"/O=ccrec tests/CN={next(iter(ip_addresses), 'localhost')}", "-out", "server.csr"], state_dir)
    _openssl(["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
              "-set_serial", "0x" + os.urandom(12).hex(), "-days", str(days), "-sha256",
              "-extfile", cnf, "-extensions", "v3_server", "-out", "server.pem"], state_dir)
    for leftover in ("server.csr",):
        try:
            os.unlink(os.path.join(state_dir, leftover))
        except OSError:
            pass
    os.chmod(os.path.join(state_dir, "ca.key"), 0o600)
    os.chmod(os.path.join(state_dir, "server.key"), 0o600)
    return TlsMaterial(ca_file=os.path.join(state_dir, "ca.pem"),
                       cert_file=os.path.join(state_dir, "server.pem"),
                       key_file=os.path.join(state_dir, "server.key"))


def server_ssl_context(material: TlsMaterial) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(material.cert_file, material.key_file)
    return ctx
