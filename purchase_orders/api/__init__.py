"""The webhook API the network calls: authentication, serializers, views, schema."""
