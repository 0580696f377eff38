"""HTTP security headers on every response (docs/security.md).

Content-Security-Policy: scripts only from this site (the app has no inline script: JS lives in
static/js); styles from this site plus 'unsafe-inline', because the pygal charts are inline
<svg> documents carrying their own <style> element and the templates use a few style
attributes (progress bars). Inline styles cannot run code; inline scripts stay forbidden.
Framing is refused (frame-ancestors 'none' and X-Frame-Options DENY). HSTS only where
HSTS_SECONDS > 0 (ProductionConfig), since a development server on http must not pin https.
"""
from __future__ import annotations

from flask import Flask, Response

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def register(app: Flask) -> None:
    hsts = app.config.get("HSTS_SECONDS", 0)

    @app.after_request
    def _security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
        if hsts:
            headers.setdefault("Strict-Transport-Security", f"max-age={hsts}; includeSubDomains")
        if response.mimetype == "text/html" and "Cache-Control" not in headers:
            # pages show private data: never kept by shared caches, not shown again after logout
            headers["Cache-Control"] = "no-store"
        return response
