"""The Tag API (tag 2018-08-13) over the account's one tag store, for the TCR instances the emulator knows.

Resources are six-part names ``qcs::tcr:<region>:uin/<uin>:instance/<registryId>``; the uin may be empty
(as the Terraform provider sends it) or the account's own. Tag keys and values follow the rules in
:mod:`...rules`; a bad tag fails the whole request, while TagResources / UnTagResources report a resource
they cannot tag in ``FailedResources``.

:mod:`.model` holds the tags, :mod:`.api` the actions.
"""
