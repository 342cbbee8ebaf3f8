"""The e-mail backend of a portal with no mail server: the console, attachments by name."""

import copy

from django.core.mail.backends import console


class ConsoleEmailBackend(console.EmailBackend):
    """Django's console backend, writing each attachment as its name and size, not its bytes.

    A supplier's e-mail carries the order's PDF; as base64 it would fill the
    worker's console with thousands of lines.
    """

    def write_message(self, message):
        if not message.attachments:
            return super().write_message(message)
        shown = copy.copy(message)
        shown.attachments = []
        super().write_message(shown)
        for attachment in message.attachments:
            name, content, mimetype = _parts(attachment)
            self.stream.write(f"Attached: {name} ({mimetype}, {len(content):,} bytes)\n")
        self.stream.write("-" * 79 + "\n")


def _parts(attachment) -> tuple[str, bytes, str]:
    if hasattr(attachment, "get_filename"):  # a MIME part attached as it is
        return (
            attachment.get_filename() or "",
            attachment.get_payload(decode=True) or b"",
            (attachment.get_content_type()),
        )
    name, content, mimetype = attachment
    return name or "", content or b"", mimetype or "application/octet-stream"
