#!/usr/bin/env bash
# Installs pomelo-sidecar as a systemd service from a build tree, for hosts without the Debian package.
#
#   systemd/install.sh [--jar PATH] [--config PATH] [--root DIR]   install or upgrade
#   systemd/install.sh --uninstall [--root DIR]                     remove the program, keep configuration
#   systemd/install.sh --purge [--root DIR]                         also remove configuration, state, logs, user
#
# --uninstall is dpkg's "remove": /etc/pomelo-sidecar, /etc/default/pomelo-sidecar, /var/lib and /var/log
# and the user stay, so a reinstall picks up where it left off. --purge is dpkg's "purge".
# Running it twice is harmless: the jar, the unit and the sample are replaced, an existing sidecar.yaml and
# environment file are never touched.
# --root DIR installs below DIR instead of /, for tests and image builds: no user is created, no ownership is
# changed (DIR's /etc/passwd is not ours to edit) and systemctl is not called; what was skipped is printed.
set -euo pipefail

readonly NAME=pomelo-sidecar
readonly SERVICE_USER=pomelo-sidecar
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
project="$(dirname "$here")"

root=""
jar="$project/target/pomelo-sidecar.jar"
config="$project/conf/sidecar.yaml"
action=install

usage() {
  sed -n '2,7p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

while [ $# -gt 0 ]; do
  case "$1" in
    --root) root="${2:?--root needs a directory}"; shift 2 ;;
    --jar) jar="${2:?--jar needs a path}"; shift 2 ;;
    --config) config="${2:?--config needs a path}"; shift 2 ;;
    --uninstall) action=uninstall; shift ;;
    --purge) action=purge; shift ;;
    -h|--help) usage ;;
    *) echo "install.sh: unknown argument '$1'" >&2; usage ;;
  esac
done

if [ -n "$root" ]; then
  mkdir -p "$root"
  root="$(cd "$root" && pwd)"
fi

# Where the Debian package puts them too (Debian's Java policy), so that one unit file serves both.
share_dir="$root/usr/share/$NAME"
command_file="$root/usr/bin/$NAME"
man_file="$root/usr/share/man/man1/$NAME.1.gz"
completion_file="$root/usr/share/bash-completion/completions/$NAME"
# The build generates the completion from the command line's definition (mvn package, or any phase from
# process-classes on); the man page is a source file, compressed here as the package build does.
completion="$project/target/deb/bash-completion/$NAME"
man_page="$project/src/deb/$NAME.1"
# Where earlier versions put the jar (/opt, which Debian leaves to local software): an install removes it.
old_opt_dir="$root/opt/$NAME"
etc_dir="$root/etc/$NAME"
default_file="$root/etc/default/$NAME"
unit_file="$root/etc/systemd/system/$NAME.service"
socket_file="$root/etc/systemd/system/$NAME.socket"

# sd_booted(3): systemd is PID 1 exactly when this directory exists.
systemd_running() {
  [ -z "$root" ] && [ -d /run/systemd/system ]
}

skipped() {
  echo "skipped under --root: $*"
}

# Replaces a file by rename, never by rewriting it in place: a running JVM maps its jar and crashes when the bytes
# under it change, while a renamed-over file stays intact for it until it restarts.
place() {
  local mode="$1" source="$2" target="$3"
  install -d -m 0755 "$(dirname "$target")"
  install -m "$mode" "$source" "$target.new"
  mv -f "$target.new" "$target"
}

# Configuration is the administrator's once it exists: placed on first install only.
place_once() {
  local mode="$1" source="$2" target="$3"
  if [ -e "$target" ]; then
    echo "kept existing $target"
  else
    place "$mode" "$source" "$target"
  fi
}

create_user() {
  if [ -n "$root" ]; then
    skipped "create system user $SERVICE_USER"
  elif ! getent passwd "$SERVICE_USER" >/dev/null; then
    useradd --system --user-group --home-dir "/var/lib/$NAME" --no-create-home \
      --shell /usr/sbin/nologin --comment "$NAME service" "$SERVICE_USER"
  fi
}

# The service reads its configuration through its group; it must not be able to change it.
protect_config() {
  if [ -n "$root" ]; then
    skipped "chown root:$SERVICE_USER $etc_dir $etc_dir/sidecar.yaml"
  else
    chown root:"$SERVICE_USER" "$etc_dir" "$etc_dir/sidecar.yaml"
  fi
  chmod 0750 "$etc_dir"
  chmod 0640 "$etc_dir/sidecar.yaml"
}

install_all() {
  [ -f "$jar" ] || { echo "install.sh: no jar at $jar (run mvn package, or pass --jar)" >&2; exit 1; }
  [ -f "$config" ] || [ -e "$etc_dir/sidecar.yaml" ] \
    || { echo "install.sh: no configuration at $config (pass --config)" >&2; exit 1; }

  create_user
  place 0644 "$jar" "$share_dir/$NAME.jar"
  place 0755 "$here/$NAME-java" "$share_dir/java"
  place 0755 "$here/$NAME" "$command_file"
  place_documentation
  remove_old_layout
  install -d -m 0750 "$etc_dir"
  place_once 0640 "$config" "$etc_dir/sidecar.yaml"
  place_once 0644 "$here/servers.json.sample" "$etc_dir/servers.json.sample"
  protect_config
  place_once 0644 "$here/$NAME.default" "$default_file"
  place 0644 "$here/$NAME.service" "$unit_file"
  # Installed, not enabled: socket activation is the administrator's choice (systemctl enable --now NAME.socket).
  place 0644 "$here/$NAME.socket" "$socket_file"
  make_class_archive

  if systemd_running; then
    systemctl daemon-reload
    systemctl enable "$NAME"
    # An upgrade takes effect at once if the service runs; a first install waits for the administrator.
    systemctl try-restart "$NAME"
  elif [ -n "$root" ]; then
    skipped "systemctl daemon-reload && systemctl enable $NAME"
  else
    echo "systemd is not running: enable $NAME yourself once it is"
  fi
  echo "installed $NAME; edit $etc_dir/sidecar.yaml, then: systemctl start $NAME"
}

# The class-data archive /etc/default/pomelo-sidecar points the JVM at (-XX:SharedArchiveFile): made for the jar
# just placed, so before the restart below. It is only a speed-up: without it the sidecar starts, more slowly.
make_class_archive() {
  if [ -n "$root" ]; then
    # It belongs to one jar and one Java build: the Java here need not be the one that will run under DIR.
    skipped "class-data archive (run: /usr/share/$NAME/java -jar /usr/share/$NAME/$NAME.jar class-archive /var/lib/$NAME/app.jsa)"
    return
  fi
  install -d -o "$SERVICE_USER" -g "$SERVICE_USER" -m 0750 "/var/lib/$NAME"
  # For the service's Java: JAVA_HOME from its environment file when set there.
  local java_home
  java_home=$(sed -n 's/^JAVA_HOME="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$default_file" 2>/dev/null | tail -n 1)
  if ! runuser -u "$SERVICE_USER" -- env JAVA_HOME="$java_home" "$share_dir/java" -jar "$share_dir/$NAME.jar" class-archive "/var/lib/$NAME/app.jsa"; then
    echo "warning: no class-data archive; $NAME starts without it, more slowly" >&2
  fi
}

# man pomelo-sidecar and TAB completion in bash, where the package puts them too.
place_documentation() {
  install -d -m 0755 "$(dirname "$man_file")"
  gzip -9n < "$man_page" > "$man_file.new"
  chmod 0644 "$man_file.new"
  mv -f "$man_file.new" "$man_file"
  if [ -f "$completion" ]; then
    place 0644 "$completion" "$completion_file"
  else
    echo "warning: no bash completion at $completion (mvn package makes it); installed without it" >&2
  fi
}

remove_old_layout() {
  rm -f "$old_opt_dir/$NAME.jar"
  rmdir "$old_opt_dir" 2>/dev/null || true
}

uninstall_program() {
  if systemd_running; then
    # The socket first: a connection to it would start the service again.
    systemctl disable --now "$NAME.socket" || true
    systemctl disable --now "$NAME" || true
  elif [ -n "$root" ]; then
    skipped "systemctl disable --now $NAME.socket $NAME"
  fi
  # The class-data archive belongs to the removed jar; the rest of the state stays until --purge.
  rm -f "$unit_file" "$socket_file" "$share_dir/$NAME.jar" "$share_dir/java" "$command_file" "$man_file" "$completion_file" \
    "$root/var/lib/$NAME/app.jsa"
  rmdir "$share_dir" 2>/dev/null || true
  remove_old_layout
  if systemd_running; then
    systemctl daemon-reload
  fi
}

purge_configuration() {
  rm -rf "$etc_dir" "$root/var/lib/$NAME" "$root/var/log/$NAME"
  rm -f "$default_file"
  if [ -n "$root" ]; then
    skipped "userdel $SERVICE_USER"
  elif getent passwd "$SERVICE_USER" >/dev/null; then
    userdel "$SERVICE_USER"
  fi
}

case "$action" in
  install) install_all ;;
  uninstall) uninstall_program; echo "removed $NAME; configuration kept in $etc_dir (--purge removes it)" ;;
  purge) uninstall_program; purge_configuration; echo "purged $NAME" ;;
esac
