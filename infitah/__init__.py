"""Infitah: the open-government platform of Morocco's territorial collectivities."""
