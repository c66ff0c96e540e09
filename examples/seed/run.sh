#!/usr/bin/env bash
# The image-streams walk-through, offline: render myapp from the lock, record a new UBI build
# (rollout), pin the first build (rollback), then unpin, rendering after each step with the
# KRM function and changing the lock with the CLI (`streamlock tag`, `rollback`, `history`). It works on a copy
# in a temporary directory and uses only this repository's build: `npm run seed` runs it.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
cli="$root/dist/streamlock.mjs"
fn_bundle="$root/dist/streamlock-fn.mjs"
if [ ! -f "$cli" ] || [ ! -f "$fn_bundle" ]; then
  echo "run.sh: dist/ is missing; run \`npm run build\` (or \`npm run seed\`, which builds first)" >&2
  exit 1
fi

# The builds of ubi:8 in this story. The digests are illustrative, not real UBI images.
repo=registry.access.redhat.com/ubi8/ubi
gen1=sha256:b24793788a68c2e62d30f16de8fff5c829e89cbb3fcfe8e28d557169da4c34d0 # 8.0-122
gen2=sha256:f9e4dce1e684ddec93713d689fd2c5951d21df00d92575b6b8aac6b4348ba534 # 8.0-154
gen3=sha256:e95ca21efd14f14e1edc4fca065a0bc748263b1cd4dd4b62e6b1228f774df810 # 8.0-181

work=$(mktemp -d "${TMPDIR:-/tmp}/streamlock-seed.XXXXXX")
trap 'rm -rf "$work"' EXIT
pkg="$work/seed"
mkdir -p "$pkg"
cp "$here"/Kptfile "$here"/*.yaml "$pkg"/
lock="$pkg/imagestreams.lock.yaml"

step=0
bold='' plain=''
if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then bold=$'\033[1m' plain=$'\033[0m'; fi
step() {
  step=$((step + 1))
  printf '\n%s== %d. %s%s\n' "$bold" "$step" "$*" "$plain"
}

# Node with this repository's yaml package.
js() {
  ROOT="$root" node --input-type=module -e "import { createRequire } from 'node:module';
const YAML = createRequire(process.env.ROOT + '/package.json')('yaml');
$1" "${@:2}"
}

streamlock() { # the CLI, run in the package (its lockfile is the default imagestreams.lock.yaml)
  echo "   \$ streamlock $*"
  (cd "$pkg" && node "$cli" "$@") | sed 's/^/   /'
}

# Renders the package through the KRM function (`streamlock fn`), as kpt would: every YAML file
# becomes an item of a ResourceList. Prints myapp's image and checks it is the expected digest.
render() {
  local want=$1
  local out image
  out=$(js "
const { readdirSync, readFileSync } = await import('node:fs');
const { spawnSync } = await import('node:child_process');
const [pkg, cli] = process.argv.slice(1);
const items = [];
for (const file of readdirSync(pkg).filter((f) => f === 'Kptfile' || /\.ya?ml$/.test(f)).sort()) {
  YAML.parseAllDocuments(readFileSync(pkg + '/' + file, 'utf8')).forEach((doc, index) => {
    const obj = doc.toJS();
    if (!obj) return;
    obj.metadata ??= {};
    obj.metadata.annotations = { ...obj.metadata.annotations, 'internal.config.kubernetes.io/path': file, 'internal.config.kubernetes.io/index': String(index) };
    items.push(obj);
  });
}
const input = YAML.stringify({ apiVersion: 'config.kubernetes.io/v1', kind: 'ResourceList', items });
const fn = spawnSync(process.execPath, [cli, 'fn'], { input, encoding: 'utf8' });
const out = YAML.parse(fn.stdout);
for (const r of out.results ?? []) console.log(\`   function result: [\${r.severity}] \${r.message}\`);
if (fn.status !== 0) {
  process.stderr.write(fn.stderr);
  process.exit(fn.status ?? 1);
}
const app = out.items.find((i) => i.kind === 'Deployment' && i.metadata.name === 'myapp');
console.log('   annotation resolved.streamlock.dev/myapp: ' + app.metadata.annotations['resolved.streamlock.dev/myapp']);
console.log(app.spec.template.spec.containers.find((c) => c.name === 'myapp').image);" "$pkg" "$cli")
  image=${out##*$'\n'}
  printf '%s\n' "${out%$'\n'*}"
  echo "   myapp image: $image"
  if [ "$image" != "$repo@$want" ]; then
    echo "run.sh: expected $repo@$want" >&2
    exit 1
  fi
}

lock_diff() {
  diff -u --label "imagestreams.lock.yaml (before)" --label "imagestreams.lock.yaml (after)" "$1" "$lock" | sed 's/^/   /' || true
}

step "The package: myapp follows ubi:8; the lock records two imports of $repo:8.0"
echo "   (copied to $pkg)"
streamlock history ubi:8 -n demo

step "Render: the trigger resolves to the newest recorded build, generation 2 (8.0-154)"
render "$gen2"

step "A new build (8.0-181) is published: record it as generation 3 (what a scheduled \`streamlock import\` does)"
cp "$lock" "$work/before.yaml"
streamlock tag "$repo@$gen3" ubi:8 -n demo
lock_diff "$work/before.yaml"

step "Render again: the rollout is this diff of the lock; myapp moves to generation 3"
render "$gen3"

step "8.0-181 misbehaves: roll back by pinning generation 1 (8.0-122); history is kept"
cp "$lock" "$work/before.yaml"
streamlock rollback ubi:8 --to-generation 1 -n demo
lock_diff "$work/before.yaml"
streamlock history ubi:8 -n demo

step "Render again: myapp is back on generation 1, and stays there until the pin is removed"
render "$gen1"

step "Once a fixed build is out, remove the pin: the tag follows its newest generation again"
cp "$lock" "$work/before.yaml"
streamlock rollback ubi:8 --latest -n demo
lock_diff "$work/before.yaml"
render "$gen3"

printf '\nDone: render, rollout and rollback all came from the lock, without a registry or a cluster.\n'
