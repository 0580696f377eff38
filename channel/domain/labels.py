"""Message ids that are data, not code (configured level names), marked for extraction."""
from channel.domain.errors import N_

DEFAULT_LEVEL_NAMES = (
    N_("总代理"), N_("省代"), N_("市代"), N_("分销商"),
    N_("销售总监"), N_("销售经理"), N_("组长"), N_("销售代表"),
)
