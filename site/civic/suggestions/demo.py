"""Demo cases for 意见箱: about 60 per community over the last 45 days, in every state and
category. Most are answered on time, some late, a few are overdue right now; some go up to the
street and on to a department, some come back down, some are rejected or merged, most are
rated. Every case is made by the service functions with the clock set in the past, so its
history, clocks and stamps are exactly what the real steps would have written."""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from civic.accounts import service as accounts
from civic.accounts.roles import Role
from civic.accounts.viewer import Viewer, load_viewer
from civic.db import write_transaction
from civic.places import service as places
from civic.places.service import CommunityInfo
from civic.suggestions import service
from civic.suggestions.tables import Case
from civic.suggestions.workflow import Verb
from civic.web.clock import LOCAL_TZ

C = Case.Category
R = Case.Rating


@dataclass(frozen=True)
class Topic:
    """What a resident reports and how it ends. `{b}` and `{u}` stand for a building number and
    a unit, filled in per case. A topic with `up` can be escalated to the street; with `dept`
    the street summons that department in turn. `refuse` marks something the community
    rejects, with where to go instead."""

    category: C
    text: str
    answer: str = ""
    place: str = ""
    private: bool = False
    up: str = ""
    street_answer: str = ""
    dept: str = ""
    dept_note: str = ""
    dept_answer: str = ""
    refuse: str = ""

    @property
    def kind(self) -> str:
        if self.refuse:
            return "reject"
        if self.dept:
            return "dept"
        if self.up:
            return "street"
        return "suggestion" if self.category is C.SUGGESTION else "any"


TOPICS = [
    # 环境卫生
    Topic(
        C.SANITATION,
        "{b}号楼东侧的垃圾分类桶天天满溢，厨余垃圾洒了一地，天一热招苍蝇，味道很大。",
        "已联系环卫公司，厨余垃圾清运由每天一次改为早晚两次，桶站加装了除臭喷淋，"
        "投放高峰安排垃圾分类指导员值守。",
        "{b}号楼东侧垃圾桶站",
    ),
    Topic(
        C.SANITATION,
        "{b}号楼{u}单元楼道里堆了很多纸箱和旧家具，几个月没人清理，又脏又有消防隐患。",
        "已在楼道张贴限期清理通知，到期后会同物业清走无主杂物两车，并请楼门长每周巡查一次。",
        "{b}号楼{u}单元楼道",
    ),
    Topic(
        C.SANITATION,
        "小区北门的绿化带里经常有狗粪，遛狗的人不清理，孩子上学总是踩到。",
        "北门绿化带增设了 2 个拾便袋箱和文明养犬提示牌，网格员早晚巡查时劝导遛狗居民随手清理。",
        "小区北门绿化带",
    ),
    Topic(
        C.SANITATION,
        "中心花园的景观水池长期不换水，水都发绿发臭了，还生蚊子。",
        "物业已抽干水池、清淤消毒，之后每两周换一次水，夏季每周投放一次灭蚊药。",
        "中心花园",
    ),
    Topic(
        C.SANITATION,
        "{b}号楼门口的下水井往外冒污水，好几天了，进出都得绕着走。",
        "物业联系管网维修队疏通了堵塞的污水管，井盖周边已冲洗消毒，不再外溢。",
        "{b}号楼门口",
    ),
    # 停车管理
    Topic(
        C.PARKING,
        "{b}号楼前的消防通道天天晚上被私家车占着，上次救护车进不来，只能在路口抬担架。",
        "消防通道已重新施划黄色禁停标线、安装隔离桩，物业夜间每两小时巡查一次，"
        "占道车辆当场联系车主挪车。",
        "{b}号楼前消防通道",
    ),
    Topic(
        C.PARKING,
        "我家租的固定车位这个月被外来车辆占了四次，跟门岗说了也不管。",
        "物业已为您的车位安装地锁，门岗落实外来车辆登记，占位车辆的车主已被约谈。",
        "地下车库",
        private=True,
    ),
    Topic(
        C.PARKING,
        "电动车都停在楼门口，把无障碍坡道挡住了，推轮椅的老人出不去。",
        "在 {b}号楼南侧划定了电动车集中停放区，楼门口坡道两侧设置了禁停标识，楼门长协助劝导。",
        "{b}号楼{u}单元门口",
    ),
    Topic(
        C.PARKING,
        "晚上小区主路两边停满了车，会车都困难，垃圾车也进不来，能不能规划一下停车？",
        "社区和物业重新规划了主路停车：单侧停车、另一侧划黄线禁停，新增 18 个夜间临时车位，"
        "方案已在公告栏公示。",
        "小区主路",
    ),
    Topic(
        C.PARKING,
        "小区门口的共享单车堆成一片，把盲道和出入口都堵了。",
        "已联系三家共享单车企业，每天早晚各清运调度一次，门口划定了单车停放区。",
        "小区南门",
    ),
    # 设施维修
    Topic(
        C.REPAIR,
        "{b}号楼{u}单元楼道灯坏了快一周了，晚上老人上下楼看不见，很危险。",
        "物业电工已更换 3 至 6 层的声控灯，全部恢复照明，并检查了整栋楼的楼道灯。",
        "{b}号楼{u}单元",
    ),
    Topic(
        C.REPAIR,
        "{b}号楼{u}单元的单元门禁坏了，门一直关不上，陌生人随便进出。",
        "门禁电磁锁和闭门器已更换，门能自动关严，门禁卡可以正常使用。",
        "{b}号楼{u}单元",
    ),
    Topic(
        C.REPAIR,
        "{b}号楼的电梯这个月停了三次，上周还困了人，住高层的老人都不敢坐了。",
        "已约谈电梯维保公司，更换了门机控制板和层门锁，维保由半月一次改为每周一次，"
        "维保记录贴在轿厢内。",
        "{b}号楼",
    ),
    Topic(
        C.REPAIR,
        "健身区的单杠底座松动了，一晃一晃的，小孩玩很危险。",
        "已拆除松动的单杠并用围挡隔离，新器材已报请更换，预计两周内安装。",
        "中心花园健身区",
    ),
    Topic(
        C.REPAIR,
        "{b}号楼{u}单元楼梯扶手有好几段松了，老人扶着下楼差点摔倒。",
        "物业已加固 2 至 5 层的楼梯扶手，并在转角处加装了防滑条。",
        "{b}号楼{u}单元",
    ),
    Topic(
        C.REPAIR,
        "{b}号楼北侧的路面有几处塌陷的坑，下雨就积水，晚上骑车容易摔。",
        "物业已用沥青修补了 4 处坑槽，路面恢复平整。",
        "{b}号楼北侧道路",
    ),
    # 治安安全
    Topic(
        C.SAFETY,
        "{b}号楼{u}单元有人从三楼窗户拉电线下来给电动车充电，电线就垂在楼门口，太危险了。",
        "社区会同物业上门劝导，当场拆除了飞线，告知车主小区东侧充电桩的位置，"
        "楼门口张贴了禁止飞线充电的提示。",
        "{b}号楼{u}单元门口",
    ),
    Topic(
        C.SAFETY,
        "最近有陌生人挨家挨户推销保健品，专门找独居老人，说是免费体检。",
        "已提醒门岗加强外来人员登记，网格员入户提醒独居老人谨防上当，并请社区民警加强巡逻。",
    ),
    Topic(
        C.SAFETY,
        "东门的监控坏了很久，前几天车棚里有两辆电动车被偷了。",
        "物业已修复东门 2 个监控探头，车棚新增 1 个摄像头，被盗情况已协助车主向派出所报案。",
        "东门非机动车棚",
    ),
    Topic(
        C.SAFETY,
        "{b}号楼楼道里的灭火器都过期两年了，压力表指针在红区。",
        "物业已更换 {b}号楼全部 12 具灭火器，并检查了全小区的消防器材。",
        "{b}号楼",
    ),
    Topic(
        C.SAFETY,
        "小区后门晚上没人值守，门也不锁，总有外面的人穿行。",
        "后门已安装门禁，晚上 10 点后刷卡通行，物业保安每小时巡查一次。",
        "小区后门",
    ),
    # 邻里纠纷
    Topic(
        C.NEIGHBOURS,
        "楼上邻居家卫生间漏水，我家天花板都泡了，找他们好几次都不开门。",
        "社区调解员约楼上楼下两家见面，楼上住户已请人重做卫生间防水，"
        "并承担了楼下天花板的修补费用。",
        "{b}号楼{u}单元",
        private=True,
    ),
    Topic(
        C.NEIGHBOURS,
        "中心广场的广场舞音响开得太大，每天晚上跳到十点，孩子没法写作业。",
        "社区与舞蹈队负责人商定：音量控制在 60 分贝以内，晚上 9 点前结束，并给舞蹈队换了定向音箱。",
        "中心广场",
    ),
    Topic(
        C.NEIGHBOURS,
        "对门邻居把鞋柜、纸箱都堆在公共走道里，说了好几次也不听。",
        "楼门长和网格员上门沟通，邻居已把鞋柜搬回家中，走道恢复通畅。",
        "{b}号楼{u}单元",
        private=True,
    ),
    Topic(
        C.NEIGHBOURS,
        "隔壁装修每天早上七点就开电钻，周末也不停。",
        "已联系装修户和物业，施工时间调整为工作日 8:00–12:00、14:00–18:00，周末不做噪声大的活。",
        "{b}号楼{u}单元",
    ),
    Topic(
        C.NEIGHBOURS,
        "楼上邻居养的狗整夜叫，已经一个多月了，老伴睡不好觉。",
        "网格员上门和养犬户沟通，对方晚上把狗关在室内并请了训犬师，近一周没有再扰民。",
        private=True,
    ),
    # 物业服务
    Topic(
        C.PROPERTY,
        "物业费年年交，保洁却越来越差，楼道一个月才拖一次。",
        "已约谈物业公司，楼道保洁改为每周两次，保洁排班在楼门口公示，居民可以随时监督。",
    ),
    Topic(
        C.PROPERTY,
        "{b}号楼二次供水的水有时候发黄，水箱多久没清洗了？",
        "物业已委托专业公司清洗消毒水箱，水质检测合格，检测报告已在楼门口公示。",
        "{b}号楼",
    ),
    Topic(
        C.PROPERTY,
        "物业报修电话总打不通，家里水管漏水报修三天都没人来。",
        "物业已增设 24 小时报修专线并公示，您家的水管当天已修好，物业经理上门道了歉。",
        private=True,
    ),
    Topic(
        C.PROPERTY,
        "物业把停车费涨价了，没有公示，也没开业主大会。",
        "经核实物业未按规定公示，已要求暂停执行新标准，调价方案须经业主大会表决后才能实施。",
    ),
    Topic(
        C.PROPERTY,
        "小区绿化很久没人修剪了，{b}号楼前的树枝都伸进三楼窗户了。",
        "物业园林班已修剪 {b}号楼周边树木，全小区的绿化修剪已排进本月计划。",
        "{b}号楼前",
    ),
    # 意见建议
    Topic(
        C.SUGGESTION,
        "建议在中心花园增设几张休息座椅，老人散步走累了没有地方坐。",
        "已在中心花园和健身区增设 6 张带靠背的座椅，欢迎大家试坐后再提意见。",
        "中心花园",
    ),
    Topic(
        C.SUGGESTION,
        "建议社区开一个老年人智能手机课，教大家用手机挂号、交水电费。",
        "每周三下午在社区活动室开设智能手机课，由青年志愿者一对一教学，已有 30 多人报名。",
    ),
    Topic(
        C.SUGGESTION,
        "建议在小区里装几个快递柜，快递都堆在门口，经常丢。",
        "已与快递柜企业签约，在南门和 {b}号楼旁各安装一组快递柜，下周投入使用。",
    ),
    Topic(
        C.SUGGESTION,
        "建议周末开放社区活动室做少儿阅览室，孩子放假没地方去。",
        "社区活动室周六、周日 9:00–17:00 开放少儿阅览室，由大学生志愿者值守，已添置新书 300 册。",
    ),
    Topic(
        C.SUGGESTION,
        "建议在小区门口设一个爱心雨伞借用点，下雨天方便大家。",
        "南门物业服务台已设爱心雨伞借用点，共 40 把，凭门禁卡借用。",
    ),
    Topic(
        C.SUGGESTION,
        "建议组织一次旧衣物回收活动，家里很多旧衣服不知道往哪放。",
        "本月第二个周六在中心广场举办旧衣物回收日，衣物由公益机构消毒后捐出。",
    ),
    Topic(
        C.SUGGESTION,
        "建议在电动车棚安装智能充电插座，从根上解决飞线充电的问题。",
        "已与充电运营企业签约，在两个车棚安装 40 个充电口，扫码充电，充满自动断电。",
    ),
    # 其他
    Topic(
        C.OTHER,
        "想问一下高龄津贴怎么申请，需要带什么材料？我父亲今年 80 岁了。",
        "高龄津贴在社区服务站办理，带老人身份证、户口本和老人本人的银行卡；"
        "行动不便的老人可以预约社工上门办理。",
    ),
    Topic(
        C.OTHER,
        "小区里流浪猫越来越多，晚上叫得厉害，还有猫在楼道里生了小猫。",
        "社区联系了小动物保护志愿者，对流浪猫开展捕捉、绝育、放归，楼道里的小猫已由志愿者送养。",
    ),
    Topic(
        C.OTHER,
        "社区公告栏的通知字太小，老人看不清，能不能印大一点？",
        "今后公告栏通知统一用大字打印，重要通知同时由楼门长在楼门口张贴。",
    ),
    Topic(
        C.OTHER,
        "我母亲的养老助餐卡丢了，怎么补办？",
        "助餐卡可在社区服务站补办，带老人身份证即可当场补卡，卡内余额不受影响。",
        private=True,
    ),
    Topic(
        C.OTHER,
        "社区服务站中午不开门，上班的人只能请假来办事。",
        "社区服务站自下周起中午轮班，12:00–13:30 有专人值守，周六上午照常开放。",
    ),
    # What the street solves, or hands back to the community with instructions.
    Topic(
        C.PROPERTY,
        "物业把{b}号楼前的一块绿地改成了收费停车位，也没征求居民意见。",
        "社区召集业委会和物业协商，物业同意停止收费、恢复绿地，施工已于本周完成。",
        "{b}号楼前",
        up="社区两次约谈物业，物业坚持不改，需要街道物业办出面。",
        street_answer="街道物业办约谈了物业公司，收费停车位已停止收费并恢复绿化；"
        "今后改变公共区域用途须经业主大会表决。",
    ),
    Topic(
        C.PROPERTY,
        "听说物业合同到期后物业公司要撤场，小区以后没人管了怎么办？",
        "社区已与原物业确认交接时间表并公示，应急物业方案已落实，保洁、安保不会中断。",
        up="涉及物业企业退出和应急物业选聘，需要街道牵头。",
        street_answer="街道已启动应急物业程序，临时物业在原物业撤场当天进场，保洁、安保不中断；"
        "同时指导业委会选聘新物业。",
    ),
    Topic(
        C.PARKING,
        "小区门口的路口早晚高峰特别堵，接送孩子的车乱停，老人过马路很危险。",
        "社区组织志愿者在早晚高峰到路口值守引导，并与学校家委会约定接送车辆停在指定区域。",
        "小区南门路口",
        up="路口在小区红线外，需要街道协调交警和学校。",
        street_answer="街道协调交警在早晚高峰派驻协管员，学校错峰放学，路口南侧新划了临时接送停车区。",
    ),
    Topic(
        C.NEIGHBOURS,
        "{b}号楼一楼住户私自把阳台往外扩建，占了公共绿地，邻居们都有意见。",
        "社区再次上门做工作，住户同意自行拆除扩建部分，物业已恢复绿地。",
        "{b}号楼一层",
        up="社区和物业多次劝导无效，涉及违法建设，需要街道综合执法。",
        street_answer="街道综合执法队现场认定为违法建设，下达限期拆除通知，住户已自行拆除并恢复绿地。",
    ),
    Topic(
        C.SANITATION,
        "小区旁边的菜市场每天早上卸货，菜叶和污水流到小区门口，臭得很。",
        "社区与菜市场管理方商定了卸货时间和清扫责任，物业每天早上加扫一次西门路面。",
        "小区西门",
        up="菜市场不归社区管，请街道协调市场管理方。",
        street_answer="街道约谈了菜市场管理方，卸货区改到市场北侧，每天卸货后冲洗路面，"
        "市场门口增设了垃圾桶。",
    ),
    Topic(
        C.SAFETY,
        "小区北侧围墙塌了一段，一直没修，晚上谁都能进来。",
        "物业先用铁丝网临时封堵并加强夜间巡逻，围墙重砌已报维修资金，下月施工。",
        "小区北侧围墙",
        up="围墙属于原产权单位，社区联系不上，请街道协调。",
        street_answer="街道联系到原产权单位，已出资重砌围墙约 20 米并加装了照明。",
    ),
    Topic(
        C.OTHER,
        "社区门口的公交站晚上没有灯，等车的人什么都看不见。",
        "社区联系公交公司报修，站台照明已恢复。",
        "社区门口公交站",
        up="公交站台不归社区管，需要街道协调公交公司。",
        street_answer="街道已协调公交公司为站台加装太阳能照明灯，本周已亮灯。",
    ),
    Topic(
        C.REPAIR,
        "一下大雨{b}号楼门口就积水到脚脖子，雨水管网太老了。",
        "物业疏通了 {b}号楼门口的雨水管道，增设一个雨水篦子，大雨时安排专人值守。",
        "{b}号楼门口",
        up="雨水管网改造需要街道统筹资金和施工。",
        street_answer="街道已将该积水点列入年度整治项目，先期疏通管道并增设两个雨水口，"
        "大雨时安排抽水泵值守。",
    ),
    # What the street passes on to a department (吹哨报到 all the way).
    Topic(
        C.SANITATION,
        "小区西墙外的空地被人倒了大量建筑垃圾，越堆越高，刮风满天土。",
        "社区联系产权单位清运了建筑垃圾，并在空地入口设置了警示牌。",
        "小区西墙外空地",
        up="空地在小区红线外，社区无权清运，请街道协调。",
        dept="chengguan",
        dept_note="现场有渣土车夜间偷倒的痕迹，需城管执法查处并组织清运。",
        dept_answer="区城管委已组织清运建筑垃圾约 30 吨，空地周边加装了围挡和监控，"
        "对夜间偷倒开展专项执法。",
    ),
    Topic(
        C.PARKING,
        "小区南门外路边停着一辆僵尸车，落满了灰、轮胎都瘪了，停了大半年。",
        "社区通过车牌联系到车主，车主已把车开走。",
        "小区南门外",
        up="车辆停在小区外的市政道路上，社区无法处置。",
        dept="chengguan",
        dept_note="需城管部门依法张贴告知、联系车主并拖移。",
        dept_answer="区城管委已张贴限期清理告知书并联系到车主，车辆已于本周移走。",
    ),
    Topic(
        C.REPAIR,
        "{b}号楼外墙的瓷砖一块块往下掉，砸在楼下人行道上，差点砸到人。",
        "社区在楼下设置了警戒区，物业已拆除松动瓷砖，维修资金使用已启动业主表决。",
        "{b}号楼外墙",
        up="外墙属于共用部位，需要动用维修资金，社区协调不下来。",
        dept="zhujian",
        dept_note="涉及外墙安全隐患和维修资金使用，请住建委指导。",
        dept_answer="区住建委已组织专业单位排查，拆除了 26 块空鼓瓷砖，维修资金使用申请已批复，"
        "下月进场修复。",
    ),
    Topic(
        C.REPAIR,
        "{b}号楼顶楼漏水，一下雨屋顶就往下滴水，墙皮都泡掉了。",
        "物业对屋面做了临时防水处理，彻底修复需动用维修资金，已启动业主表决。",
        "{b}号楼顶层",
        up="屋面防水需要动用维修资金，业主意见不一，请街道协调。",
        dept="zhujian",
        dept_note="老旧小区屋面防水问题，请住建委纳入改造计划。",
        dept_answer="已纳入今年老旧小区综合整治，{b}号楼屋面防水层已重新铺设，经雨天检验不再渗漏。",
    ),
    Topic(
        C.SAFETY,
        "小区对面的烧烤摊占道经营到凌晨两三点，油烟大，吵得睡不着。",
        "社区联系摊主协商，摊主同意晚上 11 点前收摊并加装油烟净化器。",
        "小区对面人行道",
        up="摊点在小区外的市政道路上，社区没有执法权。",
        dept="chengguan",
        dept_note="夜间占道经营、油烟扰民，请城管执法。",
        dept_answer="城管执法队连续一周夜间整治，摊主已迁入附近的规范经营点，占道和油烟问题已解决。",
    ),
    Topic(
        C.PROPERTY,
        "家里暖气不热，屋里只有 16 度，给供暖公司打电话一直说在排队。",
        "社区联系供热单位上门排气，室温已恢复正常。",
        "{b}号楼{u}单元",
        up="供热单位不归社区管，社区多次催促未果。",
        dept="chengguan",
        dept_note="供热不达标，请城管委督促供热单位。",
        dept_answer="区城管委督促供热单位上门，清洗了单元供暖管道并排气，室温已达到 20 度。",
    ),
    Topic(
        C.SUGGESTION,
        "建议给{b}号楼加装电梯，楼里住的多是老人，上下六楼太难了。",
        "社区已召集 {b}号楼住户开会，介绍加装电梯的流程和补贴政策，正在征集意见。",
        "{b}号楼",
        up="加装电梯需要住建部门审批和补贴政策指导。",
        dept="zhujian",
        dept_note="请住建委现场踏勘，指导加装电梯的流程和补贴申请。",
        dept_answer="区住建委已现场踏勘，{b}号楼符合加装条件，已指导居民开展意见征集，"
        "达成一致后即可申请补贴。",
    ),
    Topic(
        C.OTHER,
        "社区东侧马路上的路灯坏了好几盏，晚上一片漆黑。",
        "社区报修后路灯已修好。",
        "社区东侧马路",
        up="市政路灯不归物业管，社区报修多次没有回音。",
        dept="chengguan",
        dept_note="市政路灯损坏，请城管委安排维修。",
        dept_answer="区城管委路灯管理所已更换 5 盏损坏的路灯，全部恢复照明。",
    ),
    Topic(
        C.REPAIR,
        "{b}号楼的燃气管道锈得厉害，楼道里偶尔能闻到燃气味。",
        "社区请燃气公司上门检测，已更换锈蚀管段。",
        "{b}号楼",
        up="燃气管道有安全隐患，社区无权处置，需要尽快协调。",
        dept="chengguan",
        dept_note="燃气管道安全隐患，请城管委协调燃气公司紧急排查。",
        dept_answer="燃气公司已上门检测，更换了锈蚀的立管和阀门，检测无泄漏。",
    ),
    Topic(
        C.REPAIR,
        "{b}号楼地下室常年积水，墙上的裂缝越来越长，担心影响楼的安全。",
        "物业已抽排地下室积水并封堵了渗水点，之后每月巡查一次。",
        "{b}号楼地下室",
        up="涉及房屋结构安全鉴定，社区和物业都没有这个资质。",
        dept="zhujian",
        dept_note="请住建委组织房屋安全鉴定。",
        dept_answer="区住建委已委托鉴定机构检测，{b}号楼主体结构安全，地下室裂缝不是结构性裂缝，"
        "已指导物业做防水封堵和排水。",
    ),
    Topic(
        C.SANITATION,
        "小区门口的早市摊贩占道，菜叶垃圾扔一地，早上出门都挤不过去。",
        "社区和摊贩商量好 8 点前收摊，垃圾由摊贩自己带走，物业早上加扫一次。",
        "小区南门外",
        up="摊贩在小区外的市政道路上，社区没有执法权。",
        dept="chengguan",
        dept_note="占道经营，请城管执法并协调疏导。",
        dept_answer="城管执法队早高峰定点值守，摊贩已引导到附近便民市场经营，路面由环卫工每天清扫。",
    ),
    Topic(
        C.PROPERTY,
        "{b}号楼的老旧小区改造停工一个多月了，脚手架一直搭着，窗户都打不开。",
        "社区联系了施工单位项目经理，施工方承诺尽快复工。",
        "{b}号楼",
        up="改造工程由区里统一组织，社区联系施工方没有回音。",
        dept="zhujian",
        dept_note="老旧小区改造工程停工，请住建委督促施工单位复工。",
        dept_answer="区住建委已约谈施工单位，工程本周复工，外立面完工后两周内拆除脚手架。",
    ),
    # What the community cannot take on: rejected, saying where to go instead.
    Topic(
        C.OTHER,
        "我在单位被拖欠了三个月工资，老板一直拖着不给，社区能不能帮我要？",
        private=True,
        refuse="拖欠工资属于劳动保障监察的职责，社区不能受理。请带劳动合同和工资记录到区人力社保局"
        "劳动保障监察大队投诉，也可以拨打 12333。需要帮忙写材料可以来社区服务站。",
    ),
    Topic(
        C.OTHER,
        "网上买的电饭煲用了一周就坏了，商家不给退货。",
        refuse="消费纠纷请拨打 12315 或在全国 12315 平台投诉，社区不能受理。",
    ),
    Topic(
        C.OTHER,
        "我家有套空房子想出租，社区能帮我找租客吗？",
        refuse="房屋出租是个人经营行为，社区不能代为招租。可以通过正规中介出租，"
        "出租后请到社区服务站登记租住人员信息。",
    ),
    Topic(
        C.NEIGHBOURS,
        "邻居家孩子在学校欺负我家孩子，请社区管一管。",
        private=True,
        refuse="学校里的事请先和班主任、学校德育处沟通；如有人身伤害请报警。社区可以帮您联系学校。",
    ),
    Topic(
        C.OTHER,
        "我的医保报销比例不对，少报了几百块钱。",
        private=True,
        refuse="医保报销请咨询区医保中心或拨打 12393，社区不能受理。"
        "社区服务站可以帮您查办理地址和所需材料。",
    ),
    Topic(
        C.SUGGESTION,
        "建议把地铁站修到我们小区门口。",
        refuse="地铁线网规划由市里统一制定，社区无法受理。可以在市规划部门公开征求意见时提出，"
        "或拨打 12345 反映。",
    ),
]

REPLIES = [
    "已收到，明天上午安排物业师傅上门查看。",
    "已转物业维修班，今天下午去现场。",
    "收到，网格员今天会去现场看一下，请保持电话畅通。",
    "已登记，我们先了解情况，两天内给您答复。",
]
STREET_HAND_BACKS = [
    "经核实属于物业服务合同范围，请社区约谈物业督促整改，街道物业办可派人列席。",
    "请社区先召集楼门长和相关住户协商，协商不成再报街道。",
    "街道已和物业公司负责人打过招呼，这件事社区可以直接协调，请社区跟进并反馈。",
]
DEPARTMENT_HAND_BACKS = [
    "该问题属于小区内部管理事项，不在本部门执法范围，请街道组织物业和业委会协商解决。",
    "现场核查后需要先由产权单位出具意见，请街道先联系产权单位。",
]
REOPENS = [
    (
        "问题还在，没有真正解决。",
        "再次到现场核查，发现上次处理不彻底，已彻底整改，并请楼门长一周内每天回访。",
    ),
    (
        "只做了一半，剩下的没人管了。",
        "已督促施工方把剩余部分做完，今天已全部完成，给您带来不便，非常抱歉。",
    ),
    (
        "说是好了，第二天又坏了。",
        "查明是线路和配件老化，已整体更换，并安排一周后复查。",
    ),
]
PRAISE = ["谢谢社区，处理很及时！", "师傅很认真，点赞。", "", "问题解决了，谢谢。", ""]
FAIR = ["解决了，就是慢了点。", "基本解决了，希望以后多巡查。", ""]
STILL_UNHAPPY = ["拖了太久，还是没有彻底解决。", "只是临时处理，过几天又是老样子。"]
SAME_AGAIN = ["我也反映一下：", "跟邻居说的是同一件事：", "这个问题好几户都遇到了："]
NAMES = [
    "刘大妈",
    "王先生",
    "陈女士",
    "赵阿姨",
    "孙师傅",
    "周大爷",
    "吴女士",
    "郑先生",
    "冯阿姨",
    "高先生",
    "何女士",
    "罗大爷",
    "梁女士",
    "宋师傅",
    "唐阿姨",
    "韩先生",
]


# The people who act on one community's cases -----------------------------------------------


@dataclass
class Desk:
    community_id: int
    staff: Viewer
    street: Viewer
    departments: dict[str, tuple[int, Viewer]]  # slug -> (id, its staff)
    representative: Viewer | None
    files_for_others: Viewer  # the grid worker, or staff where there is none
    residents: list[Viewer]
    buildings: dict[int, int]  # number (3 for "3号楼") -> id


async def _first(role: Role, scope_id: int) -> Viewer | None:
    found = await accounts.holders(role, scope_id)
    return await load_viewer(found[0]["id"]) if found else None


async def _desk(community: CommunityInfo, street_id: int) -> Desk | None:
    staff = await _first(Role.COMMUNITY_STAFF, community.id)
    street = await _first(Role.STREET_OFFICIAL, street_id)
    if staff is None or street is None:
        return None  # not the demo district: nobody to act
    departments = {}
    for d in await places.departments():
        person = await _first(Role.DEPARTMENT_STAFF, d["id"])
        if person is not None:
            departments[d["slug"]] = (d["id"], person)
    residents = [
        viewer
        for r in await accounts.holders(Role.RESIDENT, community.id)
        if (viewer := await load_viewer(r["id"])) is not None
    ]
    buildings = await places.buildings_of(community.id)
    return Desk(
        community_id=community.id,
        staff=staff,
        street=street,
        departments=departments,
        representative=await _first(Role.PARTY_REPRESENTATIVE, community.id),
        files_for_others=await _first(Role.GRID_WORKER, community.id) or staff,
        residents=residents,
        buildings={int(b["name"].removesuffix("号楼")): b["id"] for b in buildings},
    )


# One case from filing to where it ends ------------------------------------------------------


@dataclass
class Entry:
    """A planned case: its story, its topic, when it is filed and by whom."""

    story: Story
    topic: Topic
    filed_at: datetime
    rng: random.Random
    filer: str = "typed"  # resident | typed (name and phone) | for (typed in by staff) | anon
    resident: Viewer | None = None
    name: str = ""
    phone: str = ""
    public: bool = True
    to_representative: bool = False
    original: Entry | None = None
    building: int = 0
    unit: int = 1
    code: str = ""

    def fill(self, text: str) -> str:
        return text.format(b=self.building, u=self.unit)


@dataclass
class Run:
    """A case on its way: the clock moves forward with each step, never past `limit`."""

    entry: Entry
    desk: Desk
    at: datetime
    limit: datetime
    pace: float
    code: str = ""

    @property
    def rng(self) -> random.Random:
        return self.entry.rng

    @property
    def holder(self) -> Viewer:
        """Who acts for the community: the representative a case is addressed to, or staff."""
        rep = self.desk.representative
        return rep if self.entry.to_representative and rep else self.desk.staff

    def department(self) -> tuple[int, Viewer]:
        fallback = next(iter(self.desk.departments.values()))
        return self.desk.departments.get(self.entry.topic.dept, fallback)

    def wait(self, hours: tuple[float, float]) -> datetime:
        self.at = min(self.at + timedelta(hours=self.rng.uniform(*hours) * self.pace), self.limit)
        return self.at

    async def act(
        self, verb: Verb, who: Viewer, hours: tuple[float, float], note: str = "", **kw: Any
    ) -> None:
        await service.act(who, self.code, verb, self.wait(hours), note=self.entry.fill(note), **kw)

    async def rate(self, rating: R, hours: tuple[float, float], comment: str = "") -> None:
        # A resident signed in rates as themselves; anyone else proves it with their phone.
        viewer = self.entry.resident if self.entry.filer == "resident" else None
        await service.rate(
            viewer, self.code, rating, self.wait(hours), comment=comment, proven=viewer is None
        )

    async def expire(self) -> None:
        """Nobody rated: the case closes when someone next looks, a week after feedback."""
        self.at = min(self.at + timedelta(days=7, hours=self.rng.uniform(1, 20)), self.limit)
        await service.close_unrated(self.at, code=self.code)


# The steps every story is made of.


async def _respond(r: Run, late: bool = False) -> None:
    """The first response: accepted, sometimes after a public reply."""
    if not late and r.rng.random() < 0.25:
        await r.act(Verb.REPLY, r.holder, (0.2, 3), r.rng.choice(REPLIES))
        await r.act(Verb.ACCEPT, r.holder, (0.5, 4))
    else:
        await r.act(Verb.ACCEPT, r.holder, (13, 30) if late else (0.2, 8))


async def _solve(r: Run, late: str = "") -> None:
    """Answered by the community; `late` says which clock it misses: respond or answer."""
    await _respond(r, late=late == "respond")
    await r.act(Verb.START, r.holder, (0.1, 2))
    answer_in = (26, 40) if late == "answer" else (1, 12)
    await r.act(Verb.ANSWER, r.holder, answer_in, r.entry.topic.answer)


async def _to_street(r: Run) -> None:
    await _respond(r)
    await r.act(Verb.ESCALATE, r.holder, (0.5, 6), r.entry.topic.up)


async def _to_department(r: Run) -> None:
    await _to_street(r)
    await r.act(Verb.TAKE, r.desk.street, (0.5, 20))
    department_id, _staff = r.department()
    await r.act(
        Verb.ESCALATE,
        r.desk.street,
        (1, 8),
        r.entry.topic.dept_note,
        department_id=department_id,
    )


async def _rate_well(r: Run) -> None:
    if r.rng.random() < 0.65:
        await r.rate(R.SATISFIED, (2, 72), r.rng.choice(PRAISE))
    else:
        await r.rate(R.FAIRLY, (2, 72), r.rng.choice(FAIR))


# Stories: how a case goes, each ending in one state.


async def closed(r: Run) -> None:
    await _solve(r)
    await _rate_well(r)


async def closed_late(r: Run) -> None:
    await _solve(r, late=r.rng.choice(["respond", "answer"]))
    await r.rate(R.FAIRLY if r.rng.random() < 0.7 else R.SATISFIED, (2, 72), FAIR[0])


async def closed_unrated(r: Run) -> None:
    await _solve(r)
    await r.expire()


async def _answered_twice(r: Run) -> None:
    """不满意 the first time: the case goes back to whoever answered and is answered again."""
    comment, second = r.rng.choice(REOPENS)
    await _solve(r)
    await r.rate(R.UNSATISFIED, (1, 48), comment)
    await r.act(Verb.ANSWER, r.holder, (3, 20), second)


async def reopened(r: Run) -> None:
    await _answered_twice(r)
    await _rate_well(r)


async def reopened_unhappy(r: Run) -> None:
    """不满意 a second time: the rating stands and the case closes."""
    await _answered_twice(r)
    await r.rate(R.UNSATISFIED, (1, 48), r.rng.choice(STILL_UNHAPPY))


async def street_solved(r: Run) -> None:
    await _to_street(r)
    await r.act(Verb.TAKE, r.desk.street, (0.5, 20))
    await r.act(Verb.ANSWER, r.desk.street, (4, 30), r.entry.topic.street_answer)
    await _rate_well(r)


async def department_answered(r: Run) -> None:
    await _to_department(r)
    _id, staff = r.department()
    await r.act(Verb.TAKE, staff, (1, 12))
    await r.act(Verb.ANSWER, staff, (4, 20), r.entry.topic.dept_answer)


async def department_solved(r: Run) -> None:
    await department_answered(r)
    await _rate_well(r)


async def handed_back(r: Run) -> None:
    """The street sends it back down with instructions; the community is working on it."""
    await _to_street(r)
    await r.act(Verb.HAND_BACK, r.desk.street, (1, 20), r.rng.choice(STREET_HAND_BACKS))


async def handed_back_solved(r: Run) -> None:
    await handed_back(r)
    await r.act(Verb.ANSWER, r.holder, (2, 20), r.entry.topic.answer)
    await _rate_well(r)


async def adopted(r: Run) -> None:
    await r.act(Verb.REPLY, r.holder, (0.2, 6), "谢谢您的建议，已提交居委会讨论。")
    await r.act(Verb.ACCEPT, r.holder, (0.5, 3))
    await r.act(Verb.START, r.holder, (0.1, 2))
    await r.act(Verb.ADOPT, r.holder, (1, 6), "居委会会议讨论通过，采纳这条建议。")
    await r.act(Verb.ANSWER, r.holder, (1, 4), r.entry.topic.answer)
    await r.rate(R.SATISFIED, (2, 72), r.rng.choice(PRAISE))


async def rejected(r: Run) -> None:
    if r.rng.random() < 0.35:
        await r.act(Verb.ACCEPT, r.holder, (0.2, 8))
    await r.act(Verb.REJECT, r.holder, (0.5, 6), r.entry.topic.refuse)


async def merged(r: Run) -> None:
    # The original was planned with this case and filed before it.
    original = r.entry.original.code if r.entry.original else ""
    await r.act(Verb.MERGE, r.holder, (0.3, 8), original_code=original)


async def answered(r: Run) -> None:
    await _solve(r)


async def waiting(r: Run) -> None:
    """Filed, nobody has responded yet."""


async def replied(r: Run) -> None:
    await r.act(Verb.REPLY, r.holder, (0.2, 3), r.rng.choice(REPLIES))


async def accepted(r: Run) -> None:
    await r.act(Verb.ACCEPT, r.holder, (0.2, 8))


async def in_progress(r: Run) -> None:
    await accepted(r)
    await r.act(Verb.START, r.holder, (0.1, 2))


async def reopened_open(r: Run) -> None:
    await _solve(r)
    await r.rate(R.UNSATISFIED, (2, 4), r.rng.choice(REOPENS)[0])


async def department_working(r: Run) -> None:
    await _to_department(r)
    await r.act(Verb.TAKE, r.department()[1], (1, 12))


async def department_handed_back(r: Run) -> None:
    await _to_department(r)
    await r.act(Verb.HAND_BACK, r.department()[1], (1, 10), r.rng.choice(DEPARTMENT_HAND_BACKS))


async def street_waiting(r: Run) -> None:
    await _to_street(r)


async def department_waiting(r: Run) -> None:
    await _to_department(r)


@dataclass(frozen=True)
class Story:
    name: str
    run: Callable[[Run], Awaitable[None]]
    count: int
    age: tuple[float, float]  # hours between filing and now: enough for every step to fit
    needs: str = "any"  # the kind of topic: any, suggestion, street, dept, reject
    rates: bool = False  # the filer rates it, so must be someone who can
    pace: float = 1.0  # below 1: a recent case, its steps closer together
    for_representative: bool = False  # in a community with one, a case may be addressed there


OLD = 1070.0  # hours: within 45 days even after moving a filing back into daytime
# Stories that end waiting in someone's queue. They choose their topics first, so that a
# street's or a department's queue, which gathers several communities, shows no topic twice.
OPEN_STORIES = [
    Story("waiting", waiting, 1, (0.3, 10), for_representative=True),
    Story("waiting_overdue", waiting, 1, (13, 40)),
    Story("replied", replied, 1, (2, 18), pace=0.4),
    Story("accepted", accepted, 2, (3, 18), pace=0.1),
    Story("accepted_overdue", accepted, 1, (28, 60)),
    Story("in_progress", in_progress, 2, (3, 20), pace=0.2, for_representative=True),
    Story("reopened_open", reopened_open, 1, (26, 40), rates=True),
    Story("department_working", department_working, 1, (50, 66), "dept", pace=0.7),
    Story("department_handed_back", department_handed_back, 1, (50, 66), "dept", pace=0.7),
    Story("department_waiting", department_waiting, 1, (36, 64), "dept", pace=0.7),
    Story("handed_back", handed_back, 1, (20, 60), "street", pace=0.5),
    Story("street_waiting", street_waiting, 1, (4, 40), "street", pace=0.25),
    Story("street_overdue", street_waiting, 1, (76, 100), "street"),
]
STORIES = [
    *OPEN_STORIES,
    Story("answered", answered, 4, (24, 150), for_representative=True),
    Story("department_answered", department_answered, 1, (80, 160), "dept"),
    Story("closed", closed, 16, (100, OLD), rates=True, for_representative=True),
    Story("closed_late", closed_late, 4, (130, OLD), rates=True, for_representative=True),
    Story("closed_unrated", closed_unrated, 4, (215, OLD)),
    Story("reopened_unhappy", reopened_unhappy, 1, (150, OLD), rates=True),
    Story("reopened", reopened, 2, (150, OLD), rates=True),
    Story("street_solved", street_solved, 2, (145, OLD), "street", rates=True),
    Story("department_solved", department_solved, 2, (155, OLD), "dept", rates=True),
    Story("handed_back_solved", handed_back_solved, 1, (140, OLD), "street", rates=True),
    Story("adopted", adopted, 2, (100, OLD), "suggestion", rates=True, for_representative=True),
    Story("rejected", rejected, 3, (14, OLD), "reject"),
    Story("merged", merged, 2, (0, 0)),  # filed a little after its original
]


# Planning ----------------------------------------------------------------------------------


def _daytime(moment: datetime) -> datetime:
    """Moved back to the evening before when it falls at night: residents file by day."""
    hour = moment.astimezone(LOCAL_TZ).hour
    if hour >= 22:
        return moment - timedelta(hours=hour - 21)
    if hour < 7:
        return moment - timedelta(hours=hour + 3)
    return moment


def _topics(rng: random.Random, index: int) -> dict[str, list[Topic]]:
    """Each kind of topic in the order a community takes them. Street and department topics
    turn round by community, each starting where the one before stopped with its open cases;
    the rest are shuffled, general topics dealt round the categories so that the first eight
    cases already cover all of them."""
    by_kind: dict[str, list[Topic]] = {}
    for topic in TOPICS:
        by_kind.setdefault(topic.kind, []).append(topic)
    for kind in ("street", "dept"):
        pool = by_kind[kind]
        turn = index * sum(s.count for s in OPEN_STORIES if s.needs == kind)
        by_kind[kind] = pool[turn % len(pool) :] + pool[: turn % len(pool)]
    for kind in ("any", "suggestion", "reject"):
        rng.shuffle(by_kind[kind])
    by_category: dict[C, list[Topic]] = {}
    for topic in by_kind.pop("any") + by_kind.pop("suggestion"):
        by_category.setdefault(topic.category, []).append(topic)
    dealt: list[Topic] = []
    while any(by_category.values()):
        for category in C:
            if by_category.get(category):
                dealt.append(by_category[category].pop())
    by_kind["any"] = dealt
    by_kind["suggestion"] = [t for t in dealt if t.category is C.SUGGESTION]
    return by_kind


def _take(pools: dict[str, list[Topic]], needs: str, used: set[Topic]) -> Topic:
    """The next unused topic of the kind a story needs; any topic with an answer will do once
    the general ones run out, and a repeat only when everything has been used."""
    fallbacks = {"any": ["street", "dept"], "suggestion": ["any"], "street": ["dept"]}
    for kind in [needs, *fallbacks.get(needs, [])]:
        for topic in pools.get(kind, []):
            if topic not in used:
                used.add(topic)
                return topic
    return pools[needs][0]


def plan(desk: Desk, now: datetime, seed: str, index: int = 0) -> list[Entry]:
    """Every case of one community (the `index`th of the district), in the order filed."""
    rng = random.Random(seed)  # noqa: S311 (demo data, not a secret)
    pools = _topics(rng, index)
    used: set[Topic] = set()
    extra = rng.randint(-2, 3)  # communities differ a little in size
    entries: list[Entry] = []
    # Stories that need a particular kind of topic choose first.
    for story in sorted(STORIES, key=lambda s: s.needs == "any"):
        count = story.count + (extra if story.name == "closed" else 0)
        for _ in range(count):
            if story.name == "merged":
                continue  # below, once the originals are known
            hours = rng.uniform(*story.age)
            filed = now - timedelta(hours=hours)
            if story.age[0] >= 100:
                filed = _daytime(filed)
            entry = Entry(story, _take(pools, story.needs, used), filed, rng)
            entry.building = rng.randint(1, max(len(desk.buildings), 1))
            entry.unit = rng.randint(1, 4)
            entries.append(entry)
    merged_story = next(s for s in STORIES if s.name == "merged")
    originals = [
        e
        for e in entries
        if e.story.name in {"closed", "closed_unrated", "answered"}
        and now - e.filed_at > timedelta(hours=80)
    ]
    for original in rng.sample(originals, merged_story.count):
        # The same thing reported again by a neighbour a few hours to a day later.
        filed = original.filed_at + timedelta(hours=rng.uniform(2, 30))
        twin = Entry(merged_story, original.topic, filed, rng, original=original)
        twin.building, twin.unit = original.building, original.unit
        entries.append(twin)
    for entry in entries:
        _choose_filer(entry, desk, rng)
    if desk.representative is not None:
        # One of each kind the mailbox shows: new, being handled, awaiting a rating, done.
        for story in STORIES:
            mine = [e for e in entries if e.story is story and e.filer != "for"]
            if story.for_representative and mine:
                mine[0].to_representative = True
    return sorted(entries, key=lambda e: e.filed_at)


def _choose_filer(entry: Entry, desk: Desk, rng: random.Random) -> None:
    entry.public = not entry.topic.private and rng.random() > 0.08
    kinds, weights = ["resident", "typed", "for", "anon"], [0.4, 0.4, 0.07, 0.13]
    if entry.story.rates:
        kinds, weights = kinds[:3], weights[:3]  # rating needs an account or a phone
    if not desk.residents:
        weights[0] = 0
    entry.filer = rng.choices(kinds, weights)[0]
    if entry.filer == "resident":
        entry.resident = rng.choice(desk.residents)
    elif entry.filer in {"typed", "for"}:
        entry.name = rng.choice(NAMES)
        entry.phone = f"1{rng.choice('3578')}{rng.randint(0, 9)}{rng.randint(0, 99999999):08d}"


async def play(entry: Entry, desk: Desk, now: datetime) -> None:
    """File the case as planned, then take it through its story."""
    topic = entry.topic
    text = entry.fill(topic.text)
    if entry.original is not None:
        text = entry.rng.choice(SAME_AGAIN) + text
    filer: Viewer | None = {
        "resident": entry.resident,
        "for": desk.files_for_others,
    }.get(entry.filer)
    entry.code = await service.file_case(
        filer,
        desk.community_id,
        category=topic.category,
        text=text,
        now=entry.filed_at,
        building_id=desk.buildings.get(entry.building) if "{b}" in topic.text else None,
        place=entry.fill(topic.place),
        is_public=entry.public,
        representative_id=desk.representative.id
        if entry.to_representative and desk.representative
        else None,
        name=entry.name,
        phone=entry.phone,
    )
    case = Run(
        entry,
        desk,
        at=entry.filed_at,
        limit=now - timedelta(minutes=2),
        pace=entry.story.pace,
        code=entry.code,
    )
    await entry.story.run(case)


async def load(now: datetime | None = None) -> None:
    """Loads once: nothing happens when any case exists."""
    if await Case.exists():
        return
    now = now or datetime.now(UTC)
    # One transaction (the service's own join it): the box lands whole or not at all, since a
    # half-loaded one would be skipped forever; and SQLite commits once instead of ~1,400 times.
    async with write_transaction(Case._meta.db):
        communities = [(s.id, c) for s in await places.district_overview() for c in s.communities]
        for index, (street_id, community) in enumerate(communities):
            desk = await _desk(community, street_id)
            if desk is None or not desk.departments:
                continue
            for entry in plan(desk, now, community.slug, index):
                await play(entry, desk, now)
