"""TCR Enterprise (tcr 2019-09-24): :mod:`.model` holds the account's instances and their lifecycle,
:mod:`.api` reads each action's parameters, calls the model and shapes the reply."""
