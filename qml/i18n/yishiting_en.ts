<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="zh_CN">
<context>
    <name>ConsoleClient</name>
    <message>
        <source>控制台</source>
        <translation>Console</translation>
    </message>
    <message>
        <source>信号中断 · %1</source>
        <translation>Signal lost · %1</translation>
    </message>
    <message>
        <source>推流中断 · %1</source>
        <translation>Stream down · %1</translation>
    </message>
    <message>
        <source>推流中断 · %1：%2</source>
        <translation>Stream down · %1: %2</translation>
    </message>
    <message>
        <source>录制中断</source>
        <translation>Recording interrupted</translation>
    </message>
    <message>
        <source>节目丢帧（编码跟不上）：共 %1 帧</source>
        <translation>Program dropping frames (encoder behind): %1 so far</translation>
    </message>
    <message>
        <source>磁盘空间不足：剩余 %1 MB</source>
        <translation>Low disk space: %1 MB left</translation>
    </message>
    <message>
        <source>通过</source>
        <translation>approve</translation>
    </message>
    <message>
        <source>拒绝</source>
        <translation>reject</translation>
    </message>
    <message>
        <source>编辑</source>
        <translation>edit</translation>
    </message>
    <message>
        <source>合并</source>
        <translation>merge</translation>
    </message>
    <message>
        <source>上屏</source>
        <translation>on air</translation>
    </message>
    <message>
        <source>下屏</source>
        <translation>off air</translation>
    </message>
    <message>
        <source>已回答</source>
        <translation>answered</translation>
    </message>
    <message>
        <source>调整顺序</source>
        <translation>reorder</translation>
    </message>
    <message>
        <source>撤销</source>
        <translation>undo</translation>
    </message>
    <message>
        <source>新提问</source>
        <translation>new question</translation>
    </message>
</context>
<context>
    <name>CueBar</name>
    <message>
        <source>提示主持人</source>
        <translation>Cue the host</translation>
    </message>
    <message>
        <source>还有 5 分钟</source>
        <translation>5 minutes left</translation>
    </message>
    <message>
        <source>还有 1 分钟</source>
        <translation>1 minute left</translation>
    </message>
    <message>
        <source>请收尾</source>
        <translation>Please wrap up</translation>
    </message>
    <message>
        <source>下一个问题</source>
        <translation>Next question</translation>
    </message>
    <message>
        <source>请放慢语速</source>
        <translation>Please slow down</translation>
    </message>
    <message>
        <source>自定义提示，回车发送（Ctrl+K）</source>
        <translation>Your own cue, Enter sends (Ctrl+K)</translation>
    </message>
    <message>
        <source>已发送：%1</source>
        <translation>Sent: %1</translation>
    </message>
</context>
<context>
    <name>DestinationsPanel</name>
    <message>
        <source>已停止</source>
        <translation>Stopped</translation>
    </message>
    <message>
        <source>推流中</source>
        <translation>Live</translation>
    </message>
    <message>
        <source>连接中</source>
        <translation>Connecting</translation>
    </message>
    <message>
        <source>重连中</source>
        <translation>Reconnecting</translation>
    </message>
    <message>
        <source>失败</source>
        <translation>Failed</translation>
    </message>
    <message>
        <source>%1 kbps · 重连 %2 次</source>
        <translation>%1 kbps · %2 reconnects</translation>
    </message>
    <message>
        <source>停止</source>
        <translation>Stop</translation>
    </message>
    <message>
        <source>开始</source>
        <translation>Start</translation>
    </message>
    <message>
        <source>编辑</source>
        <translation>Edit</translation>
    </message>
    <message>
        <source>删除</source>
        <translation>Remove</translation>
    </message>
    <message>
        <source>添加目的地</source>
        <translation>Add destination</translation>
    </message>
    <message>
        <source>删除目的地</source>
        <translation>Remove destination</translation>
    </message>
    <message>
        <source>停止向“%1”推流并删除？</source>
        <translation>Stop streaming to “%1” and remove it?</translation>
    </message>
    <message>
        <source>编辑目的地</source>
        <translation>Edit destination</translation>
    </message>
    <message>
        <source>编号</source>
        <translation>ID</translation>
    </message>
    <message>
        <source>名称</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>浙江在线</source>
        <translation>Zhejiang Online</translation>
    </message>
    <message>
        <source>地址</source>
        <translation>URL</translation>
    </message>
    <message>
        <source>推流密钥</source>
        <translation>Stream key</translation>
    </message>
    <message>
        <source>密钥已设置</source>
        <translation>key set</translation>
    </message>
    <message>
        <source>*** 是隐藏的部分：改地址时请填写完整地址</source>
        <translation>*** marks hidden parts: write the whole address to change it</translation>
    </message>
    <message>
        <source>已设置，留空不变（换服务器须重填）</source>
        <translation>set; leave empty to keep it (give it again for another server)</translation>
    </message>
</context>
<context>
    <name>FollowupPanel</name>
    <message>
        <source>未办结 %1 件 · 逾期 %2 件</source>
        <translation>%1 open · %2 overdue</translation>
    </message>
    <message>
        <source>各部门待办</source>
        <translation>Open, by department</translation>
    </message>
    <message>
        <source>待办 %1 · 逾期 %2</source>
        <translation>%1 open · %2 overdue</translation>
    </message>
    <message>
        <source>待办 %1</source>
        <translation>%1 open</translation>
    </message>
    <message>
        <source>部门最新答复</source>
        <translation>Latest replies</translation>
    </message>
    <message>
        <source>已记录承诺 #%1，截止 %2</source>
        <translation>Promise #%1 recorded, due %2</translation>
    </message>
    <message>
        <source>未能记录：%1</source>
        <translation>Not recorded: %1</translation>
    </message>
    <message>
        <source>记录承诺</source>
        <translation>Record a promise</translation>
    </message>
    <message>
        <source>承诺了什么（如：安置房办证年底前全部办结）</source>
        <translation>What was promised (e.g. all resettlement-housing certificates issued by year end)</translation>
    </message>
    <message>
        <source>哪个部门</source>
        <translation>Which department</translation>
    </message>
    <message>
        <source>截止日期或工作日数</source>
        <translation>Due date or working days</translation>
    </message>
    <message>
        <source>关联在播提问 #%1</source>
        <translation>With question #%1 on air</translation>
    </message>
    <message>
        <source>没有在播提问</source>
        <translation>No question on air</translation>
    </message>
    <message>
        <source>记录</source>
        <translation>Record</translation>
    </message>
    <message>
        <source>会后转交未答复的网友提问：网页导播台 /producer/；速记页 Alt+P 把刚录入的一句记为承诺</source>
        <translation>After the show, forward unanswered questions on the web producer page (/producer/); on the typist page, Alt+P records the line just typed as a promise</translation>
    </message>
</context>
<context>
    <name>GraphicsPanel</name>
    <message>
        <source>字幕条</source>
        <translation>Lower-thirds</translation>
    </message>
    <message>
        <source>左</source>
        <translation>Left</translation>
    </message>
    <message>
        <source>右</source>
        <translation>Right</translation>
    </message>
    <message>
        <source>画面元素</source>
        <translation>On screen</translation>
    </message>
    <message>
        <source>提问卡</source>
        <translation>Question card</translation>
    </message>
    <message>
        <source>台标</source>
        <translation>Bug</translation>
    </message>
    <message>
        <source>时钟</source>
        <translation>Clock</translation>
    </message>
    <message>
        <source>二维码</source>
        <translation>QR code</translation>
    </message>
    <message>
        <source>全部撤下</source>
        <translation>Clear all</translation>
    </message>
    <message>
        <source>滚动字幕</source>
        <translation>Ticker</translation>
    </message>
    <message>
        <source>滚动字幕内容</source>
        <translation>Ticker text</translation>
    </message>
    <message>
        <source>上屏</source>
        <translation>On air</translation>
    </message>
    <message>
        <source>垫片</source>
        <translation>Slates</translation>
    </message>
    <message>
        <source>无</source>
        <translation>None</translation>
    </message>
    <message>
        <source>即将开始</source>
        <translation>Starting soon</translation>
    </message>
    <message>
        <source>分钟</source>
        <translation>min</translation>
    </message>
    <message>
        <source>稍后回来</source>
        <translation>Back soon</translation>
    </message>
    <message>
        <source>节目声音已静音（稍后回来）</source>
        <translation>Program sound silenced (back soon)</translation>
    </message>
    <message>
        <source>主题</source>
        <translation>Theme</translation>
    </message>
</context>
<context>
    <name>GuestDialog</name>
    <message>
        <source>远程嘉宾：%1</source>
        <translation>Remote guest: %1</translation>
    </message>
    <message>
        <source>链接只显示这一次：请复制后发给嘉宾</source>
        <translation>The link is shown only this once: copy it and send it to the guest</translation>
    </message>
    <message>
        <source>未能生成邀请：%1</source>
        <translation>Could not make the invitation: %1</translation>
    </message>
    <message>
        <source>邀请链接</source>
        <translation>Invitation link</translation>
    </message>
    <message>
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>张三</source>
        <translation>Zhang San</translation>
    </message>
    <message>
        <source>职务</source>
        <translation>Title</translation>
    </message>
    <message>
        <source>市民观察员</source>
        <translation>Citizen observer</translation>
    </message>
    <message>
        <source>有效小时</source>
        <translation>Valid for (hours)</translation>
    </message>
    <message>
        <source>生成邀请链接</source>
        <translation>Make the link</translation>
    </message>
    <message>
        <source>复制</source>
        <translation>Copy</translation>
    </message>
    <message>
        <source>导播提示（显示在嘉宾的页面上）</source>
        <translation>Cue (shown on the guest's page)</translation>
    </message>
    <message>
        <source>请看镜头</source>
        <translation>Please look at the camera</translation>
    </message>
    <message>
        <source>发送提示</source>
        <translation>Send cue</translation>
    </message>
</context>
<context>
    <name>HostMonitor</name>
    <message>
        <source>议事厅演播室 · 主持人提词</source>
        <translation>Yishiting Studio · Host monitor</translation>
    </message>
    <message>
        <source>播出画面</source>
        <translation>Program</translation>
    </message>
    <message>
        <source>已进行</source>
        <translation>Elapsed</translation>
    </message>
    <message>
        <source>剩余</source>
        <translation>Remaining</translation>
    </message>
    <message>
        <source>正在回答的网友提问</source>
        <translation>Audience question on air</translation>
    </message>
    <message>
        <source>暂无上屏提问</source>
        <translation>No question on air</translation>
    </message>
    <message>
        <source>网友</source>
        <translation>Viewer</translation>
    </message>
    <message>
        <source>市民观察员 · %1</source>
        <translation>Citizen observer · %1</translation>
    </message>
    <message>
        <source>接下来</source>
        <translation>Next</translation>
    </message>
    <message>
        <source>队列中没有提问</source>
        <translation>No questions in the queue</translation>
    </message>
</context>
<context>
    <name>Multiview</name>
    <message>
        <source>已静音</source>
        <translation>Muted</translation>
    </message>
    <message>
        <source>静音</source>
        <translation>Mute</translation>
    </message>
    <message>
        <source>取景</source>
        <translation>Framing</translation>
    </message>
    <message>
        <source>复位</source>
        <translation>Reset</translation>
    </message>
    <message>
        <source>退回</source>
        <translation>Hold</translation>
    </message>
    <message>
        <source>接入</source>
        <translation>Admit</translation>
    </message>
    <message>
        <source>断开</source>
        <translation>End</translation>
    </message>
    <message>
        <source>对讲</source>
        <translation>Talk</translation>
    </message>
    <message>
        <source>监听</source>
        <translation>Listen</translation>
    </message>
    <message>
        <source>邀请/提示</source>
        <translation>Invite / cue</translation>
    </message>
</context>
<context>
    <name>ProducerConsole</name>
    <message>
        <source>议事厅演播室 · 导播台 — %1</source>
        <translation>Yishiting Studio · Producer console — %1</translation>
    </message>
    <message>
        <source>结束直播？</source>
        <translation>End the live show?</translation>
    </message>
    <message>
        <source>节目正在直播：结束后所有目的地停止推流，录像收尾并生成节目包。</source>
        <translation>The show is live: ending it stops every destination, finishes the recording and makes the show&apos;s package.</translation>
    </message>
    <message>
        <source>预监 PVW</source>
        <translation>Preview PVW</translation>
    </message>
    <message>
        <source>播出 PGM</source>
        <translation>Program PGM</translation>
    </message>
    <message>
        <source>提问 %1</source>
        <translation>Questions %1</translation>
    </message>
    <message>
        <source>包装</source>
        <translation>Graphics</translation>
    </message>
    <message>
        <source>速记</source>
        <translation>Typist</translation>
    </message>
    <message>
        <source>推流</source>
        <translation>Destinations</translation>
    </message>
    <message>
        <source>未执行：%1</source>
        <translation>Not done: %1</translation>
    </message>
    <message>
        <source>换了推流服务器，请重新填写推流密钥</source>
        <translation>Another server: give the stream key again</translation>
    </message>
    <message>
        <source>跟踪 逾期%1</source>
        <translation>Follow-up · %1 late</translation>
    </message>
    <message>
        <source>跟踪</source>
        <translation>Follow-up</translation>
    </message>
    <message>
        <source>短时 %1 · 整体 %2 LUFS · 真峰值 %3 dBTP</source>
        <translation>Short-term %1 · integrated %2 LUFS · true peak %3 dBTP</translation>
    </message>
</context>
<context>
    <name>QuestionCard</name>
    <message>
        <source>建议</source>
        <translation>Suggestion</translation>
    </message>
    <message>
        <source>投诉</source>
        <translation>Complaint</translation>
    </message>
    <message>
        <source>提问</source>
        <translation>Question</translation>
    </message>
    <message>
        <source>网友</source>
        <translation>Viewer</translation>
    </message>
    <message>
        <source>市民观察员 · %1</source>
        <translation>Citizen observer · %1</translation>
    </message>
    <message>
        <source>敏感词</source>
        <translation>Sensitive</translation>
    </message>
    <message>
        <source>重复 #%1</source>
        <translation>Duplicate #%1</translation>
    </message>
</context>
<context>
    <name>QuestionsPanel</name>
    <message>
        <source>正在回答 · #%1 · %2</source>
        <translation>On air · #%1 · %2</translation>
    </message>
    <message>
        <source>网友</source>
        <translation>Viewer</translation>
    </message>
    <message>
        <source>没有正在回答的问题</source>
        <translation>No question on air</translation>
    </message>
    <message>
        <source>待审 %1</source>
        <translation>Pending %1</translation>
    </message>
    <message>
        <source>播出队列 %1</source>
        <translation>Air queue %1</translation>
    </message>
    <message>
        <source>通过</source>
        <translation>Approve</translation>
    </message>
    <message>
        <source>拒绝</source>
        <translation>Reject</translation>
    </message>
    <message>
        <source>编辑</source>
        <translation>Edit</translation>
    </message>
    <message>
        <source>合并</source>
        <translation>Merge</translation>
    </message>
    <message>
        <source>上屏</source>
        <translation>On air</translation>
    </message>
    <message>
        <source>撤下</source>
        <translation>Off air</translation>
    </message>
    <message>
        <source>已回答</source>
        <translation>Answered</translation>
    </message>
    <message>
        <source>撤销</source>
        <translation>Undo</translation>
    </message>
    <message>
        <source>拒绝原因：1 离题  2 重复  3 辱骂  4 个人信息  5 广告  6 其他  （Esc 取消）</source>
        <translation>Reason: 1 off topic  2 duplicate  3 abusive  4 personal info  5 spam  6 other  (Esc cancels)</translation>
    </message>
    <message>
        <source>最近操作：%1</source>
        <translation>Last action: %1</translation>
    </message>
    <message>
        <source>编辑提问 #%1</source>
        <translation>Edit question #%1</translation>
    </message>
    <message>
        <source>上屏效果</source>
        <translation>As it will look on air</translation>
    </message>
</context>
<context>
    <name>SwitcherBar</name>
    <message>
        <source>预监画面</source>
        <translation>Preview</translation>
    </message>
    <message>
        <source>单机位</source>
        <translation>Single</translation>
    </message>
    <message>
        <source>左右分屏</source>
        <translation>Side by side</translation>
    </message>
    <message>
        <source>画中画</source>
        <translation>Picture in picture</translation>
    </message>
    <message>
        <source>淡化</source>
        <translation>Fade</translation>
    </message>
    <message>
        <source>切换</source>
        <translation>Cut</translation>
    </message>
    <message>
        <source>空格</source>
        <translation>Space</translation>
    </message>
    <message>
        <source>淡入淡出</source>
        <translation>Auto</translation>
    </message>
    <message>
        <source>宫格</source>
        <translation>Grid</translation>
    </message>
    <message>
        <source>主持+嘉宾</source>
        <translation>Host + guests</translation>
    </message>
    <message>
        <source>三联</source>
        <translation>Row of 3</translation>
    </message>
</context>
<context>
    <name>TopBar</name>
    <message>
        <source>剩余 %1</source>
        <translation>Left %1</translation>
    </message>
    <message>
        <source>录制 %1 · %2</source>
        <translation>Recording %1 · %2</translation>
    </message>
    <message>
        <source>录制重试中</source>
        <translation>Recording: retrying</translation>
    </message>
    <message>
        <source>未录制</source>
        <translation>Not recording</translation>
    </message>
    <message>
        <source>推流 %1/%2</source>
        <translation>Streams %1/%2</translation>
    </message>
    <message>
        <source>在线 %1</source>
        <translation>Online %1</translation>
    </message>
</context>
<context>
    <name>TranscriptPanel</name>
    <message>
        <source>输入所说的话，回车提交</source>
        <translation>Type what is said, Enter commits</translation>
    </message>
    <message>
        <source>更正 · %1 %2</source>
        <translation>Correct · %1 %2</translation>
    </message>
</context>
<context>
    <name>VideoTile</name>
    <message>
        <source>等待画面…</source>
        <translation>Waiting for picture…</translation>
    </message>
    <message>
        <source>信号中断</source>
        <translation>Signal lost</translation>
    </message>
    <message>
        <source>连接中</source>
        <translation>Connecting</translation>
    </message>
    <message>
        <source>重连中</source>
        <translation>Reconnecting</translation>
    </message>
    <message>
        <source>等待嘉宾</source>
        <translation>Waiting for guest</translation>
    </message>
    <message>
        <source>等候室</source>
        <translation>Green room</translation>
    </message>
</context>
</TS>
