"""Notifications of OIA staff: in the portal and by e-mail, at once or in a daily digest."""
