"""Routes of the dashboard: auth (login, logout, health), pages, form actions, JSON API."""
