from django.apps import AppConfig


class PhoneChannelConfig(AppConfig):
    name = "herodesk.channels.phone"
    label = "phone_channel"
    verbose_name = "Phone channel"
