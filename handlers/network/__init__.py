"""The network registry in chat: organisations, group chats and roles."""
