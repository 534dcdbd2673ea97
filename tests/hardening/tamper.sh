#!/bin/bash
# Tampering: the file store is changed behind the helper's back.
#  - every byte flipped in turn, every truncation, appended bytes: `get`
#    answers one clear line, exit 1, never "credentials not found", never
#    a secret or garbage; `list` fails the same way; `store` refuses and
#    leaves the file as it found it (no silent reset of a damaged store);
#  - a wrong key file, a key file of the wrong size, a wrong passphrase,
#    a passphrase store read with a key file: a clear error naming the key;
#  - a store or key file that group/others can read, a symlinked store or
#    key file, a store owned by someone else, a store directory others can
#    write: refused with a message that says how to fix it.
# TAMPER_SAMPLE=N checks every Nth damaged variant (default: all).
set -u
. "$(dirname "$0")/common.sh"
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3

NOT_FOUND="credentials not found in native keychain"
SECRET=${H_CANARY}tamper
STORE=$DOCKER_CREDENTIAL_GHCR_STORE
for s in ghcr.io docker.pkg.github.com registry.example.com:5000; do
	h_store "$s" octocat "$SECRET" ||
		{ t_fail "set-up: store $s" "$(h_describe)"; t_summary; exit 1; }
done
size=$(stat -c %s "$STORE")

# One refused read: exit 1, one line, not "not found", no secret, no crash.
refused() { # WHAT OP INPUT [MUST-MATCH-REGEX]
	local what=$1 op=$2 input=$3 re=${4:-}
	h_run_str "$op" "$input"
	h_first_line "$H_OUT"
	if h_crashed; then
		t_fail "$what: no crash" "$(h_describe)"; return 1
	elif [ "$H_RC" -ne 1 ] || ! h_one_line "$H_OUT"; then
		t_fail "$what: one line, exit 1" "$(h_describe)"; return 1
	elif [ "$H_LINE" = "$NOT_FOUND" ]; then
		t_fail "$what: not 'not found'" "$(h_describe)"; return 1
	elif h_contains "$H_OUT" "$SECRET" || h_contains "$H_ERR" "$SECRET" ||
		[[ "$H_LINE" == *octocat* ]] || [[ "$H_LINE" =~ [^[:print:]] ]]; then
		t_fail "$what: no secret, no data, no garbage" "$(h_describe)"; return 1
	elif [ -n "$re" ] && ! [[ "$H_LINE" =~ $re ]]; then
		t_fail "$what: says /$re/" "$(h_describe)"; return 1
	fi
	return 0
}

# --- damaged files ------------------------------------------------------------
# All variants at once, each its own store file in a private directory.
V=$H_DIR/variants
mkdir -m 700 "$V"
"$PY" - "$STORE" "$V" <<'PY'
import os, sys
data = open(sys.argv[1], "rb").read()
out = sys.argv[2]
def put(name, b):
    fd = os.open(os.path.join(out, name), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.write(fd, b); os.close(fd)
for i in range(len(data)):
    for mask in (0x01, 0x80):
        b = bytearray(data); b[i] ^= mask; put("flip-%04d-%02x" % (i, mask), bytes(b))
for n in range(0, len(data)):
    put("trunc-%04d" % n, data[:n])
put("append-1", data + b"\0")
put("append-64", data + os.urandom(64))
put("doubled", data + data)
put("zeros", bytes(len(data)))
PY
n_var=0 bad=0 said_corrupt=0 n_sum=0 bad_sum=0
shopt -s nullglob
k=0
for f in "$V"/*; do
	# TAMPER_SAMPLE=N checks every Nth variant only (make valgrind does).
	k=$((k + 1))
	[ $(( (k - 1) % ${TAMPER_SAMPLE:-1} )) -eq 0 ] || continue
	name=${f##*/}
	export DOCKER_CREDENTIAL_GHCR_STORE=$f
	# A flip in the checksum alone: the GCM tag vouches for every byte
	# the checksum covers, and a read does not hash the store.
	if [[ $name =~ ^flip-0*([0-9]+)- ]] && [ "${BASH_REMATCH[1]}" -ge $((size - 32)) ]; then
		n_sum=$((n_sum + 1))
		h_run_str get ghcr.io
		h_contains "$H_OUT" "\"Secret\":\"$SECRET\"" ||
			{ t_fail "get on $name reads the authenticated contents" "$(h_describe)"; bad_sum=$((bad_sum + 1)); }
		continue
	fi
	n_var=$((n_var + 1))
	refused "get on $name" get ghcr.io || { bad=$((bad + 1)); continue; }
	[[ "$H_LINE" =~ damaged|tampered|changed|truncated|corrupt|not\ a\ docker-credential-ghcr|version|checksum ]] &&
		said_corrupt=$((said_corrupt + 1))
	# list and store on a sample (every 16th variant): slower, same rules.
	if [ $((n_var % 16)) -eq 1 ]; then
		cp -p "$f" "$H_DIR/before"
		refused "list on $name" list "" || bad=$((bad + 1))
		refused "store on $name" store \
			'{"ServerURL":"new.example","Username":"u","Secret":"s"}' || bad=$((bad + 1))
		cmp -s "$f" "$H_DIR/before" ||
			{ t_fail "store on $name leaves the damaged file alone"; bad=$((bad + 1)); }
	fi
done
export DOCKER_CREDENTIAL_GHCR_STORE=$STORE
if [ "$bad" -eq 0 ]; then
	t_pass "$n_var damaged stores (of $k: $((size * 2)) byte flips, $size truncations, 4 others; store size $size bytes): all refused with one line, never 'not found'"
else
	t_fail "damaged stores all refused cleanly" "$bad of $n_var were not"
fi
[ "$n_sum" -gt 0 ] && [ "$bad_sum" -eq 0 ] &&
	t_pass "$n_sum stores damaged in the checksum alone read their authenticated contents"
[ "$said_corrupt" -eq "$n_var" ] && t_pass "every damaged store is reported as damaged or tampered" ||
	t_fail "every damaged store is reported as damaged or tampered" "$((n_var - said_corrupt)) said something else"

# The original is untouched and still reads.
h_run_str get ghcr.io
h_contains "$H_OUT" "\"Secret\":\"$SECRET\"" && t_pass "the undamaged store still reads" ||
	t_fail "the undamaged store still reads" "$(h_describe)"

# --- wrong keys ---------------------------------------------------------------
KEY=$DOCKER_CREDENTIAL_GHCR_KEY_FILE
cp -p "$KEY" "$H_DIR/key.good"
head -c 32 /dev/urandom >"$KEY"
refused "wrong key file" get ghcr.io 'key' && t_pass "wrong key file: $H_LINE"
head -c 31 /dev/urandom >"$KEY"
refused "31-byte key file" get ghcr.io 'key' && t_pass "short key file: $H_LINE"
: >"$KEY"
refused "empty key file" get ghcr.io 'key' && t_pass "empty key file: $H_LINE"
cp -p "$H_DIR/key.good" "$KEY"

# A passphrase store, read with the wrong passphrase and with a key file.
P=$H_DIR/pp
mkdir -m 700 "$P"
printf 'correct horse battery staple\n' >"$P/right"
printf 'correct horse battery stapler\n' >"$P/wrong"
chmod 600 "$P/right" "$P/wrong"
(
	export DOCKER_CREDENTIAL_GHCR_STORE=$P/store DOCKER_CREDENTIAL_GHCR_PASSPHRASE_FILE=$P/right
	h_store ghcr.io octocat "$SECRET" || { t_fail "set-up: passphrase store" "$(h_describe)"; exit 1; }
	export DOCKER_CREDENTIAL_GHCR_PASSPHRASE_FILE=$P/wrong
	refused "wrong passphrase" get ghcr.io 'passphrase' && t_pass "wrong passphrase: $H_LINE"
	unset DOCKER_CREDENTIAL_GHCR_PASSPHRASE_FILE
	refused "passphrase store read with a key file" get ghcr.io 'passphrase|key' &&
		t_pass "passphrase store, key file given: $H_LINE"
	export DOCKER_CREDENTIAL_GHCR_PASSPHRASE_FILE=$P/right
	h_run_str get ghcr.io
	h_contains "$H_OUT" "\"Secret\":\"$SECRET\"" && t_pass "right passphrase reads" ||
		t_fail "right passphrase reads" "$(h_describe)"
	echo "$T_PASSED $T_FAILED" >"$H_DIR/counts"
)
read -r T_PASSED T_FAILED <"$H_DIR/counts"

# --- unsafe files ---------------------------------------------------------------
unsafe() { # WHAT REGEX OP INPUT
	if refused "$1" "$3" "$4" "$2"; then t_pass "$1: $H_LINE"; fi
	# A refused store must still be intact once fixed (checked by the caller).
}
for mode in 640 604 660 606; do
	chmod "$mode" "$STORE"
	unsafe "store mode $mode refused" 'chmod' get ghcr.io
done
chmod 600 "$STORE"
chmod 640 "$KEY"
unsafe "key file mode 640 refused" 'chmod' get ghcr.io
chmod 600 "$KEY"

mv "$STORE" "$STORE.real"
ln -s "${STORE##*/}.real" "$STORE"
unsafe "symlinked store refused (get)" 'symbolic link|symlink' get ghcr.io
unsafe "symlinked store refused (store)" 'symbolic link|symlink' store \
	'{"ServerURL":"x.example","Username":"u","Secret":"s"}'
[ -L "$STORE" ] && t_pass "the symlink was not replaced" || t_fail "the symlink was not replaced"
rm "$STORE"
mv "$STORE.real" "$STORE"

mv "$KEY" "$KEY.real"
ln -s "${KEY##*/}.real" "$KEY"
unsafe "symlinked key file refused" 'symbolic link|symlink' get ghcr.io
rm "$KEY"
mv "$KEY.real" "$KEY"

if [ "$(id -u)" -eq 0 ]; then
	chown 65534 "$STORE"
	unsafe "store owned by another user refused" 'chown|owned' get ghcr.io
	chown 0 "$STORE"
else
	t_skip "store owned by another user" "needs root to chown"
fi
dir=$(dirname "$STORE")
chmod 777 "$dir"
unsafe "store directory writable by others refused (store)" 'chmod' store \
	'{"ServerURL":"x.example","Username":"u","Secret":"s"}'
chmod 700 "$dir"

h_run_str get ghcr.io
h_contains "$H_OUT" "\"Secret\":\"$SECRET\"" && t_pass "store reads again once fixed" ||
	t_fail "store reads again once fixed" "$(h_describe)"
t_summary
