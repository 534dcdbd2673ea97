#!/bin/bash
# Runs the Secret Service suites inside private keyring sessions: the Check
# program (argument 1: the backend contract and the Secret Service's own
# cases), the protocol script tests/integration/cli.sh on this backend, the
# command-line checks only this backend has (keyring_cli.sh), and
# activatable.sh against a daemon that only bus activation starts.  A machine
# without dbus/gnome-keyring reports "skipped" outside CI (exit 0, never a
# pass); keyring-session.sh itself turns that into a failure when CI=true.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
harness=$here/../keyring-session.sh
status=0

"$harness" "$1"
rc=$?
if [ $rc -eq 77 ]; then
	echo "secretservice: skipped: no dbus-run-session or gnome-keyring-daemon here"
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
fi
[ $rc -eq 0 ] || status=1

"$harness" bash "$here/../integration/cli.sh" secretservice || status=1
"$harness" bash "$here/keyring_cli.sh" || status=1
"$harness" --activatable bash "$here/activatable.sh" || status=1
exit $status
