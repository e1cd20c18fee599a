"""Conversations: WhatsApp conversations, their messages and templates."""
