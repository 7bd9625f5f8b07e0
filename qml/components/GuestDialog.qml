// A remote guest's slot: an invitation link for it (name, title, how many
// hours it stays valid; the link is shown once, to copy and send), and a
// one-line cue onto the page of the guest who is in it (导播提示).
import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Layouts
import Yishiting 1.0

ConsoleDialog {
    id: dialog
    property var slot: ({})            // the slot's source in /api/status
    property int inviteRequest: -1
    property string link: ""
    property string note: ""

    function openFor(source) {
        slot = source
        nameField.text = ""
        titleField.text = ""
        hoursField.value = 48
        cueField.text = ""
        link = ""
        note = ""
        open()
    }

    objectName: "guest-dialog"
    title: qsTr("远程嘉宾：%1").arg(slot.label || slot.id || "")
    modal: true
    anchors.centerIn: parent
    width: 560
    standardButtons: Dialog.Close

    Connections {
        target: studio
        function onReplied(id, reply) {
            if (id !== dialog.inviteRequest)
                return
            dialog.inviteRequest = -1
            dialog.link = reply.link || reply.path || ""
            dialog.note = qsTr("链接只显示这一次：请复制后发给嘉宾")
        }
        function onFailed(id, code, message) {
            if (id !== dialog.inviteRequest)
                return
            dialog.inviteRequest = -1
            dialog.note = qsTr("未能生成邀请：%1").arg(message)
        }
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 8
        Label { text: qsTr("邀请链接"); font.bold: true; textFormat: Text.PlainText }
        GridLayout {
            columns: 2
            Layout.fillWidth: true
            Label { text: qsTr("姓名"); textFormat: Text.PlainText }
            TextField { id: nameField; objectName: "guest-invite-name"; Layout.fillWidth: true; maximumLength: 40; placeholderText: qsTr("张三") }
            Label { text: qsTr("职务"); textFormat: Text.PlainText }
            TextField { id: titleField; objectName: "guest-invite-title"; Layout.fillWidth: true; maximumLength: 80; placeholderText: qsTr("市民观察员") }
            Label { text: qsTr("有效小时"); textFormat: Text.PlainText }
            SpinBox { id: hoursField; from: 1; to: 720; value: 48; editable: true }
        }
        ConsoleButton {
            objectName: "guest-invite-make"
            text: qsTr("生成邀请链接")
            tint: Style.accent
            enabled: nameField.text.trim() !== "" && dialog.inviteRequest < 0
            onClicked: {
                const invite = { type: "guests.invite", source: dialog.slot.id, name: nameField.text.trim(),
                                 hours: hoursField.value }
                if (titleField.text.trim() !== "")
                    invite.title = titleField.text.trim()
                dialog.link = ""
                dialog.inviteRequest = studio.send(invite)
            }
        }
        RowLayout {
            visible: dialog.link !== ""
            Layout.fillWidth: true
            TextField {
                id: linkField
                objectName: "guest-invite-link"
                Layout.fillWidth: true
                readOnly: true
                selectByMouse: true
                text: dialog.link
            }
            ConsoleButton {
                text: qsTr("复制")
                implicitHeight: 26
                onClicked: {
                    linkField.selectAll()
                    linkField.copy()
                }
            }
        }
        Text {
            objectName: "guest-invite-note"
            visible: dialog.note !== ""
            text: dialog.note
            textFormat: Text.PlainText
            color: Style.muted
            font.family: Style.family
            Layout.fillWidth: true
            wrapMode: Text.Wrap
        }
        Label {
            text: qsTr("导播提示（显示在嘉宾的页面上）")
            font.bold: true
            textFormat: Text.PlainText
            visible: cueRow.visible
        }
        RowLayout {
            id: cueRow
            // While someone is in the slot.
            visible: !!(dialog.slot.webrtc && dialog.slot.webrtc.kind)
            Layout.fillWidth: true
            TextField {
                id: cueField
                objectName: "guest-cue-text"
                Layout.fillWidth: true
                maximumLength: 60
                placeholderText: qsTr("请看镜头")
                onAccepted: cueSend.clicked()
            }
            ConsoleButton {
                id: cueSend
                objectName: "guest-cue-send"
                text: qsTr("发送提示")
                tint: Style.accent
                implicitHeight: 26
                enabled: cueField.text.trim() !== ""
                onClicked: {
                    studio.send({ type: "guests.cue", source: dialog.slot.id, text: cueField.text.trim() })
                    cueField.text = ""
                }
            }
        }
    }
}
