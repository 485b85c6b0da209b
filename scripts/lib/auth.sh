# shellcheck shell=bash
# Signed tokens for the local stack: `./se up --auth` turns the page API's authentication on with
# a key pair generated once per .local (Ed25519, .local/auth/), and `./se token` issues tokens with
# the private key (page-service's TokenTool). Plain `./se up` leaves the API open.
# Sourced by ./se.

SE_AUTH_DIR=${SE_AUTH_DIR:-$SE_LOCAL/auth}
SE_AUTH_MARKER="$SE_LOCAL/page-service.auth" # present while the running page service checks tokens
TOKEN_TOOL=io.storageengine.pageservice.auth.TokenTool

token_tool() { # args...
  has_main page-service "${TOKEN_TOOL//.//}" || die "page-service is not built yet: run ./se build"
  "$JAVA" "${JAVA_UNSAFE_FLAGS[@]}" -cp "$(module_cp page-service)" "$TOKEN_TOOL" "$@"
}

# Decides whether the page service about to be started (or already running) checks tokens.
# $1: 1 when --auth was asked for. Exports the page service's auth settings when on.
auth_prepare() {
  local wanted=$1
  if is_up page-service; then
    local running=0
    [[ -f "$SE_AUTH_MARKER" ]] && running=1
    if ((wanted != running)); then
      warn "page-service is already running with authentication $( ((running)) && echo on || echo off ); run ./se down first to change it"
    fi
    SE_AUTH_ON=$running
  else
    SE_AUTH_ON=$wanted
    rm -f "$SE_AUTH_MARKER"
  fi
  if ((SE_AUTH_ON)); then
    if [[ ! -f "$SE_AUTH_DIR/auth-public.pem" || ! -f "$SE_AUTH_DIR/auth-private.pem" ]]; then
      token_tool keygen "$SE_AUTH_DIR" || die "could not generate the token key pair in $SE_AUTH_DIR"
      info "auth         key pair written to $SE_AUTH_DIR (auth-public.pem verifies, auth-private.pem signs)"
    fi
    export SE_AUTH_ENABLED=true SE_AUTH_PUBLIC_KEY_FILE="$SE_AUTH_DIR/auth-public.pem"
    is_up page-service || touch "$SE_AUTH_MARKER"
  else
    export SE_AUTH_ENABLED=false
  fi
}

# ` -H 'Authorization: Bearer <token>'` for a curl reading $1's pages, or nothing when the API is open.
auth_curl_header() { # tenant
  ((${SE_AUTH_ON:-0})) || return 0
  local token
  token=$(token_tool token --key "$SE_AUTH_DIR/auth-private.pem" --tenant "$1" --ttl 7d) || die "could not issue a token"
  printf " -H 'Authorization: Bearer %s'" "$token"
}

cmd_token() { # --tenant T [--scope tenant|pageserverapi] [--ttl 24h]
  [[ -f "$SE_AUTH_DIR/auth-private.pem" ]] || die "no key pair in $SE_AUTH_DIR yet: run ./se up --auth"
  token_tool token --key "$SE_AUTH_DIR/auth-private.pem" "$@"
}
