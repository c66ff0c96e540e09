#!/usr/bin/env bash
# The image-streams walk-through, offline: render myapp from the lock, record a new UBI build
# (rollout), then pin the first build (rollback), rendering after each step. It works on a copy
# in a temporary directory and uses only this repository's build: `npm run seed` runs it.
#
# Where the CLI has `streamlock tag` / `streamlock rollback`, the script uses them; otherwise it
# edits the lock the way they would (a few lines of node with the yaml package).
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

cli_help=$(node "$cli" --help)
has_command() { # has_command NAME: the CLI lists NAME among its commands
  grep -Eq "^  $1( |$)" <<<"$cli_help"
}

has_option() { # has_option COMMAND OPTION
  node "$cli" "$1" --help 2>/dev/null | grep -q -- "$2"
}

# Node with this repository's yaml package, for the steps the CLI may not have yet.
js() {
  ROOT="$root" node --input-type=module -e "import { createRequire } from 'node:module';
const YAML = createRequire(process.env.ROOT + '/package.json')('yaml');
$1" "${@:2}"
}

show_history() {
  if has_command history; then
    (cd "$pkg" && node "$cli" history ubi:8 -n demo)
  else
    js "
const { readFileSync } = await import('node:fs');
const lock = YAML.parse(readFileSync(process.argv[1], 'utf8'));
const tag = lock.streams.find((s) => s.name === 'ubi').tags.find((t) => t.tag === '8');
const current = tag.pinned ?? tag.items[0].generation;
for (const ev of tag.items) console.log(\`\${ev.generation === current ? '*' : ' '} generation \${ev.generation}  \${ev.created}  \${ev.dockerImageReference}\`);
if (tag.pinned !== undefined) console.log(\`  (pinned to generation \${tag.pinned})\`);" "$lock"
  fi
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
show_history | sed 's/^/   /'

step "Render: the trigger resolves to the newest recorded build, generation 2 (8.0-154)"
render "$gen2"

step "A new build (8.0-181) is published: record it as generation 3 (what a scheduled \`streamlock import\` does)"
cp "$lock" "$work/before.yaml"
if has_command tag; then
  echo "   \$ streamlock tag $repo@$gen3 ubi:8"
  (cd "$pkg" && node "$cli" tag "$repo@$gen3" ubi:8 $(has_option tag --namespace && echo "-n demo")) | sed 's/^/   /'
else
  echo "   (this CLI has no \`tag\` command yet: appending the generation to the lock directly)"
  js "
const { readFileSync, writeFileSync } = await import('node:fs');
const [file, image, ref] = process.argv.slice(1);
const doc = YAML.parseDocument(readFileSync(file, 'utf8'));
const stream = doc.get('streams').items.find((s) => s.get('name') === 'ubi' && s.get('namespace') === 'demo');
const tag = stream.get('tags').items.find((t) => String(t.get('tag')) === '8');
const items = tag.get('items');
const generation = items.items[0].get('generation') + 1;
const created = new YAML.Scalar('2026-11-27T08:30:00Z');
created.type = 'QUOTE_DOUBLE';
items.items.unshift(doc.createNode({ generation, created, image, dockerImageReference: ref }));
writeFileSync(file, doc.toString({ indentSeq: false }));" "$lock" "$gen3" "$repo@$gen3"
fi
lock_diff "$work/before.yaml"

step "Render again: the rollout is this diff of the lock; myapp moves to generation 3"
render "$gen3"

step "8.0-181 misbehaves: roll back by pinning generation 1 (8.0-122); history is kept"
cp "$lock" "$work/before.yaml"
if has_command rollback && has_option rollback --to-generation; then
  echo "   \$ streamlock rollback ubi:8 --to-generation 1"
  (cd "$pkg" && node "$cli" rollback ubi:8 --to-generation 1 $(has_option rollback --namespace && echo "-n demo")) | sed 's/^/   /'
else
  echo "   (this CLI has no \`rollback --to-generation\` yet: setting pinned: 1 in the lock directly)"
  js "
const { readFileSync, writeFileSync } = await import('node:fs');
const file = process.argv[1];
const doc = YAML.parseDocument(readFileSync(file, 'utf8'));
const stream = doc.get('streams').items.find((s) => s.get('name') === 'ubi' && s.get('namespace') === 'demo');
const tag = stream.get('tags').items.find((t) => String(t.get('tag')) === '8');
const at = tag.items.findIndex((pair) => pair.key.value === 'items');
tag.items.splice(at, 0, doc.createPair('pinned', 1));
writeFileSync(file, doc.toString({ indentSeq: false }));" "$lock"
fi
lock_diff "$work/before.yaml"
show_history | sed 's/^/   /'

step "Render again: myapp is back on generation 1, and stays there until the pin is removed"
render "$gen1"

printf '\nDone: render, rollout and rollback all came from the lock, without a registry or a cluster.\n'
