import base64

from django_otp.plugins.otp_totp.models import TOTPDevice

from django import template

register = template.Library()


@register.filter
def totp_secret(device: TOTPDevice) -> str:
    """The device key in base32, grouped by four, as authenticator apps ask for it."""
    raw = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))
