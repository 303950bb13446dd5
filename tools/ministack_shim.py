"""Start MiniStack with a fix for a state-saving bug; run by the emulator's own interpreter, not the project's.

MiniStack 1.5.33 saves each service's state as JSON on a graceful stop, but its encoder knows no Decimal: once an
Athena query has returned a DECIMAL column, saving Athena fails ("Object of type Decimal is not JSON
serializable") and a restart loses every workgroup and named query, after which Terraform cannot refresh them.
This teaches the encoder Decimal and date/time values (stored as text, which is how Athena returns every cell
anyway), then runs MiniStack exactly as `python -m ministack` would.
"""

import datetime
import decimal
import runpy

from ministack.core import persistence

_encode = persistence._json_default


def _json_default(value):  # noqa: ANN001, ANN202 - mirrors MiniStack's untyped hook
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    return _encode(value)


persistence._json_default = _json_default
runpy.run_module("ministack", run_name="__main__", alter_sys=True)
