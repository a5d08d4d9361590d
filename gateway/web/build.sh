#!/bin/sh
# Builds the demo pages into ../target/classes/demo (run by Maven in generate-resources, see
# gateway/pom.xml): `npm ci`, then `npm run build`. Node and npm come from the machine; nothing
# downloads a Node binary.
set -eu
cd "$(dirname "$0")"

# Vite 8 needs Node 20.19 or newer; the build is checked with Node 20.
if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
  echo "ERROR: building the gateway's demo page needs Node.js 20.19+ and npm on the PATH" >&2
  echo "       (README.md, Prerequisites). Install them, then run the build again." >&2
  exit 1
fi
if ! node -e 'const [major, minor] = process.versions.node.split(".").map(Number);
    process.exit(major > 20 || (major === 20 && minor >= 19) ? 0 : 1)'; then
  echo "ERROR: Node.js $(node --version) is too old for the demo page's build: 20.19+ is needed." >&2
  exit 1
fi

# npm ci deletes and reinstalls node_modules every time; skip it while the installed tree is the
# one this lock file gave (a copy kept next to it after the last successful install).
if ! cmp -s package-lock.json node_modules/.installed-package-lock.json 2>/dev/null; then
  # --prefer-offline: what npm's cache already holds is used without asking the registry again.
  npm ci --prefer-offline --no-audit --no-fund --loglevel=warn
  cp package-lock.json node_modules/.installed-package-lock.json
fi
npm run --silent build -- --logLevel warn
