"""python3-hvac against VAULT_ADDR/VAULT_TOKEN: one scenario (argv[1]), its outcomes as one JSON object.

A call that raises is recorded as {"raised": <hvac exception class>, "errors": [...]}.
"""
import base64
import json
import sys

import hvac


def outcome(call):
    try:
        return {"returned": call()}
    except hvac.exceptions.VaultError as error:
        return {"raised": type(error).__name__, "errors": error.errors, "message": error.args[0]}


def kv_patch(client):
    kv = client.secrets.kv.v2
    return {
        "created": outcome(lambda: kv.create_or_update_secret("app/db", {"user": "u", "password": "p1"})["data"]),
        "patched": outcome(lambda: kv.patch("app/db", {"password": "p2"})["data"]),
        "read": outcome(lambda: kv.read_secret_version("app/db")["data"]),
        "missing": outcome(lambda: kv.patch("app/none", {"a": "b"})),
    }


def not_implemented(client):
    data = base64.b64encode(b"data").decode()
    client.sys.enable_secrets_engine("transit")
    client.secrets.transit.create_key("k")
    return {
        "hmac": outcome(lambda: client.secrets.transit.generate_hmac("k", data)),
        "token": outcome(lambda: client.auth.token.create(policies=["default"])),
        "mistyped": outcome(lambda: client.adapter.get("/v1/transitt/hmac/k")),
    }


SCENARIOS = {"kv-patch": kv_patch, "not-implemented": not_implemented}

if __name__ == "__main__":
    # hvac.Client reads VAULT_ADDR and VAULT_TOKEN itself.
    print(json.dumps(SCENARIOS[sys.argv[1]](hvac.Client())))
