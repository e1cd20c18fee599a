"""XeroChat: the chatbot-platform client (`client.py`), the models of the areas only it
documents (`models.py`: users, packages, subscribers, labels, flows) and its request rules
(`rules.py`).

Imports nothing itself: the capability interfaces name the models, and the sandbox uses
the rules, without loading the client.
"""
