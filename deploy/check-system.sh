#!/usr/bin/env bash
# The system packages the application needs beyond Python: Chinese fonts for the bulletins' charts
# (fonts-noto-cjk) and LibreOffice for their PDF (libreoffice-writer-nogui). Run by `make demo` and
# `make serve`. As root on Debian or Ubuntu it installs what is missing; elsewhere it prints the
# command to run and stops.
set -euo pipefail

missing=""
# Any font that fontconfig says covers Chinese will do; Noto CJK is the one installed here.
if ! command -v fc-list >/dev/null 2>&1 || [ -z "$(fc-list :lang=zh file 2>/dev/null)" ]; then
  missing="$missing fonts-noto-cjk"
fi
if ! command -v soffice >/dev/null 2>&1 && ! command -v libreoffice >/dev/null 2>&1; then
  missing="$missing libreoffice-writer-nogui"
fi
[ -z "$missing" ] && exit 0
missing=${missing# }

if [ "$(id -u)" = 0 ] && [ -f /etc/debian_version ] && command -v apt-get >/dev/null 2>&1; then
  echo "安装缺少的系统软件包 / installing missing system packages: $missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || true
  # shellcheck disable=SC2086 # one word per package
  apt-get install -y -qq $missing >/dev/null
  exit 0
fi

cat >&2 <<MESSAGE
缺少系统软件包：$missing
  fonts-noto-cjk：通报简报图表中的中文字体（缺少时图表无法生成）；
  libreoffice-writer-nogui：把通报简报转换为 PDF。
请由管理员安装后重试 / Install them, then run this again:
  sudo apt-get install -y $missing
MESSAGE
exit 1
