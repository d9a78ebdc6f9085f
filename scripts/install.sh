#!/usr/bin/env bash
# Installs crmgate for everyday use: the release binary, the man page, shell completions and the bundled mappings.
#
#   scripts/install.sh                       # into /usr/local (as root)
#   PREFIX=$HOME/.local scripts/install.sh   # for one user
#
# The man page is generated from the commands themselves by swift-argument-parser's generate-manual plugin, the
# completions by `crmgate --generate-completion-script bash|zsh|fish`, so neither can drift from the tool.
set -euo pipefail
cd "$(dirname "$0")/.."
PREFIX=${PREFIX:-/usr/local}
swift build -c release --product crmgate
swift package plugin generate-manual --configuration release > /dev/null
install -D -m 755 .build/release/crmgate "$PREFIX/bin/crmgate"
install -D -m 644 .build/plugins/GenerateManual/outputs/crmgate/crmgate.1 "$PREFIX/share/man/man1/crmgate.1"
# The bundled mappings and profiles, so that `--profile hubspot` and the bundled jobs resolve wherever crmgate runs.
mkdir -p "$PREFIX/share/crmgate"
rm -rf "$PREFIX/share/crmgate/mappings"
cp -R mappings "$PREFIX/share/crmgate/mappings"
bin="$PREFIX/bin/crmgate"
mkdir -p "$PREFIX/share/bash-completion/completions" "$PREFIX/share/zsh/site-functions" "$PREFIX/share/fish/vendor_completions.d"
"$bin" --generate-completion-script bash > "$PREFIX/share/bash-completion/completions/crmgate"
"$bin" --generate-completion-script zsh > "$PREFIX/share/zsh/site-functions/_crmgate"
"$bin" --generate-completion-script fish > "$PREFIX/share/fish/vendor_completions.d/crmgate.fish"
echo "installed $bin $("$bin" --version)"
echo "  man page:    $PREFIX/share/man/man1/crmgate.1 (man crmgate)"
echo "  mappings:    $PREFIX/share/crmgate/mappings (bundled profiles found by name)"
echo "  completions: bash, zsh and fish under $PREFIX/share (open a new shell)"
