#!/usr/bin/env python3
"""Records the npm packages the offline tests install: for each package, a
packument trimmed to the listed versions, and those versions' tarballs.
The test registry serves them and rewrites tarball URLs to itself.

usage: scripts/record-npm-fixtures.py   (needs the public registry)
"""
import json
import os
import urllib.request

REGISTRY = "https://registry.npmjs.org"
OUT = os.path.join(os.path.dirname(__file__), "..", "npm-resolver", "tests", "fixtures")
PACKAGES = {
    "dayjs": ["1.11.23", "1.10.8"],
    "lodash": ["4.18.1"],
    "uuid": ["14.0.3"],
    "nanoid": ["6.0.2"],
    "debug": ["4.4.3"],
    "ms": ["2.1.3", "2.0.0"],
}


def get(url):
    with urllib.request.urlopen(url) as response:
        return response.read()


def main():
    os.makedirs(os.path.join(OUT, "tarballs"), exist_ok=True)
    for name, versions in PACKAGES.items():
        full = json.loads(get(f"{REGISTRY}/{name}"))
        kept = {}
        for version in versions:
            manifest = full["versions"][version]
            manifest.pop("readme", None)
            kept[version] = manifest
            tarball = get(manifest["dist"]["tarball"])
            with open(os.path.join(OUT, "tarballs", os.path.basename(manifest["dist"]["tarball"])), "wb") as f:
                f.write(tarball)
        latest = full["dist-tags"]["latest"]
        tags = {"latest": latest if latest in kept else versions[0]}
        packument = {"name": name, "dist-tags": tags, "versions": kept}
        with open(os.path.join(OUT, "packuments", f"{name}.json"), "w") as f:
            json.dump(packument, f, indent=1, sort_keys=True)
            f.write("\n")


if __name__ == "__main__":
    os.makedirs(os.path.join(OUT, "packuments"), exist_ok=True)
    main()
