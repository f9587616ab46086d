"""CAM (cam 2019-01-16): just enough to learn the account's AppId, which names COS buckets.

CAM keeps no state of its own: its model is the account every service shares, so there is only :mod:`.api`.
"""
