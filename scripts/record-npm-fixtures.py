#!/usr/bin/env python3
"""Records the npm packages the offline tests install: for each package, a
packument trimmed to the recorded versions, and those versions' tarballs.
The test registry serves them and rewrites tarball URLs to itself.

Two sets are recorded:
- PACKAGES below: single packages at the listed versions (the resolver's
  own tests and the small end-to-end tests use them);
- every case of tests/sdk/sdks.json that is not `liveOnly`: its deps (exact
  versions) and the *whole dependency tree* npm installs for them, taken
  from `npm install --package-lock-only` against the public registry.
  The resolver picks, for each range, the highest recorded version matching
  it (or `latest` when that matches), so recording npm's own tree is what
  makes every case resolvable offline, to the same versions as online.

Versions needed by several sets are merged into one packument. `latest`
stays the registry's `latest` when it is recorded, else becomes the highest
recorded version below it (so a range picks what npm picks online).

Packuments are stored flat ("@scope/name" as "@scope+name.json"); a scoped
package's tarball is stored, and listed, as "@scope-name-VERSION.tgz", since
the test registry serves tarballs by file name alone.

usage: scripts/record-npm-fixtures.py [--dry-run] [--prune]
(needs the public registry and `npm`; tarballs already recorded are not
fetched again; --prune deletes fixtures no longer recorded)
"""
import argparse
import base64
import hashlib
import json
import os
import re
import ssl
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request

REGISTRY = "https://registry.npmjs.org"
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "npm-resolver", "tests", "fixtures")
SDKS = os.path.join(HERE, "..", "tests", "sdk", "sdks.json")
PACKAGES = {
    "dayjs": ["1.11.23", "1.10.8"],
    "lodash": ["4.18.1"],
    "uuid": ["14.0.3"],
    "nanoid": ["6.0.2"],
    "debug": ["4.4.3"],
    "ms": ["2.1.3", "2.0.0"],
}
CA_FILE = "/etc/ssl/certs/ca-certificates.crt"
CONTEXT = ssl.create_default_context(cafile=CA_FILE if os.path.exists(CA_FILE) else None)


def get(url, accept="application/json"):
    request = urllib.request.Request(url, headers={"Accept": accept})
    with urllib.request.urlopen(request, context=CONTEXT, timeout=120) as response:
        return response.read()


def version_key(version):
    """A sort key for semver: prereleases sort below their release."""
    main, _, pre = version.partition("-")
    nums = [int(x) for x in re.findall(r"\d+", main)[:3]]
    parts = [(0, int(p)) if p.isdigit() else (1, p) for p in pre.split(".")] if pre else []
    return (nums, 0 if pre else 1, parts)


def npm_tree(deps):
    """(name, version) of every package npm installs for `deps` (a list of
    {"name", "version"}), from a lockfile made against the public registry."""
    with tempfile.TemporaryDirectory() as work:
        package = {"name": "record", "version": "0.0.0", "private": True,
                   "dependencies": {d["name"]: d["version"] for d in deps}}
        with open(os.path.join(work, "package.json"), "w") as f:
            json.dump(package, f)
        subprocess.run(
            ["npm", "install", "--package-lock-only", "--ignore-scripts", "--no-audit",
             "--no-fund", "--omit-lockfile-registry-resolved=false", "--registry", REGISTRY + "/"],
            cwd=work, check=True, stdout=subprocess.DEVNULL)
        with open(os.path.join(work, "package-lock.json")) as f:
            lock = json.load(f)
    tree = set()
    for location, entry in lock["packages"].items():
        if not location or entry.get("link"):
            continue
        name = entry.get("name") or location.rsplit("node_modules/", 1)[1]
        resolved = entry.get("resolved", "")
        if not resolved.startswith(REGISTRY + "/"):
            sys.exit(f"{name}@{entry['version']} is not from the registry: {resolved!r}")
        tree.add((name, entry["version"]))
    return tree


def packument_file(name):
    # Scoped names keep one flat directory: "@scope/name" → "@scope+name.json".
    return os.path.join(OUT, "packuments", name.replace("/", "+") + ".json")


def check_integrity(data, dist):
    integrity = dist.get("integrity")
    if integrity and integrity.startswith("sha512-"):
        return base64.b64encode(hashlib.sha512(data).digest()).decode() == integrity[7:]
    return hashlib.sha1(data).hexdigest() == dist["shasum"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dry-run", action="store_true",
                        help="list the packages and sizes, write nothing")
    parser.add_argument("--prune", action="store_true",
                        help="delete recorded files no longer needed")
    args = parser.parse_args()

    wanted = {name: set(versions) for name, versions in PACKAGES.items()}
    with open(SDKS) as f:
        cases = json.load(f)
    roots = {}
    for case in cases:
        if case.get("liveOnly"):
            continue
        for dep in case["deps"]:
            if not re.fullmatch(r"\d+\.\d+\.\d+(-[\w.]+)?", dep["version"]):
                sys.exit(f"{case['case']}: {dep['name']} is not pinned: {dep['version']}")
            if roots.setdefault(dep["name"], dep["version"]) != dep["version"]:
                sys.exit(f"{dep['name']} is pinned to two versions")
        tree = npm_tree(case["deps"])
        print(f"{case['case']}: {len(tree)} packages", file=sys.stderr)
        for name, version in tree:
            wanted.setdefault(name, set()).add(version)

    os.makedirs(os.path.join(OUT, "tarballs"), exist_ok=True)
    os.makedirs(os.path.join(OUT, "packuments"), exist_ok=True)
    files = {}
    total = 0
    for name in sorted(wanted):
        versions = sorted(wanted[name], key=version_key)
        full = json.loads(get(f"{REGISTRY}/{urllib.parse.quote(name, safe='@')}"))
        kept = {}
        size = 0
        for version in versions:
            manifest = full["versions"][version]
            manifest.pop("readme", None)
            kept[version] = manifest
            url = manifest["dist"]["tarball"]
            file = os.path.basename(urllib.parse.urlparse(url).path)
            if name.startswith("@"):
                # The test registry serves tarballs by file name, and
                # "@types/retry" and "retry" both publish retry-0.12.0.tgz:
                # a scoped package's file is named as the test registry
                # names the ones it publishes, "@scope-name-1.0.0.tgz".
                file = f"{name.replace('/', '-')}-{version}.tgz"
                manifest["dist"]["tarball"] = f"{REGISTRY}/{name}/-/{file}"
            if files.setdefault(file, (name, version)) != (name, version):
                sys.exit(f"{name}@{version} and {files[file]} share the tarball name {file}")
            path = os.path.join(OUT, "tarballs", file)
            if os.path.exists(path):
                with open(path, "rb") as f:
                    data = f.read()
                if not check_integrity(data, manifest["dist"]):
                    data = None
            else:
                data = None
            if data is None:
                data = get(url, "application/octet-stream")
                if not check_integrity(data, manifest["dist"]):
                    sys.exit(f"{name}@{version}: the tarball does not match its integrity")
                if not args.dry_run:
                    with open(path, "wb") as f:
                        f.write(data)
            total += len(data)
            size += len(data)
        latest = full["dist-tags"]["latest"]
        if latest not in kept:
            below = [v for v in versions if version_key(v) <= version_key(latest)]
            latest = below[-1] if below else versions[-1]
        print(f"{name}: {', '.join(versions)} ({size // 1000} kB)", file=sys.stderr)
        if args.dry_run:
            continue
        packument = {"name": name, "dist-tags": {"latest": latest}, "versions": kept}
        with open(packument_file(name), "w") as f:
            json.dump(packument, f, indent=1, sort_keys=True)
            f.write("\n")
    if args.prune and not args.dry_run:
        keep = {os.path.basename(packument_file(name)) for name in wanted}
        for directory, needed in (("packuments", keep), ("tarballs", set(files))):
            for file in os.listdir(os.path.join(OUT, directory)):
                if file not in needed:
                    print(f"pruned {directory}/{file}", file=sys.stderr)
                    os.remove(os.path.join(OUT, directory, file))
    print(f"{len(wanted)} packages, {sum(len(v) for v in wanted.values())} versions, "
          f"{total / 1e6:.1f} MB of tarballs", file=sys.stderr)


if __name__ == "__main__":
    main()
