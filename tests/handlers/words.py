"""What the pledge dialog says to members, per language (shared by the members' tests)."""

from __future__ import annotations

WORDS = {
    "zh-hans": {
        "myself": "名义：我自己",
        "anonymous": "显示方式：匿名",
        "change_behalf": "修改名义",
        "change_shown": "修改显示方式",
        "behalf_q": "以谁的名义？",
        "org_line": "名义：红十字会",
        "org_shown": "显示方式：仅显示我的组织",
        "which": "你的认捐针对哪个倡议？",
        "no_appeal": "不针对倡议",
        "unknown": "没有编号为 {number} 的倡议。",
        "stale": "此按钮已失效。",
        "recorded": "你的认捐 #{number} 已经记录。",
        "how_to_cancel": (
            "你的认捐 #{number} 已经记录。"
            "如要取消，请发送 /mypledges，在这项认捐下选择“取消认捐”。"
        ),
        "cancelled": "已取消，未保存任何内容。",
    },
    "zh-hant": {
        "myself": "名義：我自己",
        "anonymous": "顯示方式：匿名",
        "change_behalf": "修改名義",
        "change_shown": "修改顯示方式",
        "behalf_q": "以誰的名義？",
        "org_line": "名義：紅十字會",
        "org_shown": "顯示方式：僅顯示我的組織",
        "which": "你的認捐針對哪個倡議？",
        "no_appeal": "不針對倡議",
        "unknown": "沒有編號為 {number} 的倡議。",
        "stale": "此按鈕已失效。",
        "recorded": "你的認捐 #{number} 已經記錄。",
        "how_to_cancel": (
            "你的認捐 #{number} 已經記錄。"
            "如要取消，請傳送 /mypledges，在這項認捐下選擇「取消認捐」。"
        ),
        "cancelled": "已取消，未儲存任何內容。",
    },
    "en": {
        "myself": "On behalf of: Myself",
        "anonymous": "Shown: Anonymous",
        "change_behalf": "Change: on whose behalf",
        "change_shown": "Change: how shown",
        "behalf_q": "On whose behalf?",
        "org_line": "On behalf of: 紅十字會",
        "org_shown": "Shown: As my organisation only",
        "which": "Which appeal is your pledge for?",
        "no_appeal": "No appeal",
        "unknown": "There is no appeal number {number}.",
        "stale": "This button is no longer valid.",
        "recorded": "Your pledge #{number} is already recorded.",
        "how_to_cancel": (
            "Your pledge #{number} is already recorded. To cancel it, send /mypledges and "
            "choose “Cancel pledge” under it."
        ),
        "cancelled": "Cancelled. Nothing was saved.",
    },
}
