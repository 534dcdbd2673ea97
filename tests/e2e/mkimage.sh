#!/bin/bash
# Builds the suite's test image: an OCI image layout directory holding one
# small gzip layer, its config and manifest, written with tar, gzip, sha256sum
# and printf only, so the suite needs no base image and no download.  The
# marker file inside the layer makes each run's image (and so its digest)
# unique, which lets a read-back prove it got this run's push.
#
# usage: mkimage.sh DIR MARKER   (prints the manifest digest)

set -eu
dir=$1
marker=$2

rm -rf "$dir"
mkdir -p "$dir/blobs/sha256" "$dir/.rootfs/etc"
printf '%s\n' "$marker" > "$dir/.rootfs/etc/e2e-marker"

# blob_put FILE: moves FILE into the blob store; sets DIGEST and SIZE.
blob_put() {
	DIGEST=$(sha256sum "$1" | cut -d' ' -f1)
	SIZE=$(stat -c %s "$1")
	mv "$1" "$dir/blobs/sha256/$DIGEST"
}

# A reproducible layer: fixed owner and times, so only the marker varies.
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
	-C "$dir/.rootfs" -cf "$dir/.layer.tar" etc
diff_id=$(sha256sum "$dir/.layer.tar" | cut -d' ' -f1)
gzip -n "$dir/.layer.tar"
blob_put "$dir/.layer.tar.gz"
layer_digest=$DIGEST layer_size=$SIZE
rm -rf "$dir/.rootfs"

printf '{"created":"1970-01-01T00:00:00Z","architecture":"amd64","os":"linux","config":{"Cmd":["/bin/true"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
	"$diff_id" > "$dir/.config"
blob_put "$dir/.config"
config_digest=$DIGEST config_size=$SIZE

printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%s}]}' \
	"$config_digest" "$config_size" "$layer_digest" "$layer_size" > "$dir/.manifest"
blob_put "$dir/.manifest"

printf '{"imageLayoutVersion":"1.0.0"}' > "$dir/oci-layout"
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"latest"}}]}' \
	"$DIGEST" "$SIZE" > "$dir/index.json"
echo "sha256:$DIGEST"
