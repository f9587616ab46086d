"""GetUserAppId: the caller's identity, from the account every service shares."""

from __future__ import annotations

from ...schema import Params
from ..base import Account, CallContext, Reply, Service, action


class CamApi(Service):
    name = "cam"
    version = "2019-01-16"
    regional = False

    def __init__(self, account: Account) -> None:
        self.account = account

    @action("GetUserAppId")
    def get_user_app_id(self, context: CallContext, params: Params) -> Reply:
        # The emulated caller is the root account, so Uin and OwnerUin agree.
        return {"Uin": self.account.uin, "OwnerUin": self.account.uin, "AppId": self.account.app_id}
