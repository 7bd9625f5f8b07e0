// 问政跟踪 in the console: how many items are open and overdue, which
// departments are late, and the departments' latest replies — read from the
// studio's status (followup), as /api/status has it. Forwarding questions
// and recording promises are on the web producer page (/producer/) and the
// typist's Alt+P.
import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Layouts
import Yishiting 1.0

Item {
    id: panel
    readonly property var followup: studio.status.followup || ({})
    readonly property var departments: (followup.departments || []).filter(d => d.open > 0)
        .sort((a, b) => b.overdue - a.overdue || b.open - a.open)
    readonly property var replies: followup.recent_replies || []

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: 6
        spacing: 6
        Text {
            textFormat: Text.PlainText
            objectName: "followupCounts"
            Layout.fillWidth: true
            text: qsTr("未办结 %1 件 · 逾期 %2 件").arg(panel.followup.open || 0).arg(panel.followup.overdue || 0)
            color: (panel.followup.overdue || 0) > 0 ? Style.program : Style.text
            font.family: Style.family
            font.pixelSize: Style.title
            font.bold: true
        }
        Text {
            textFormat: Text.PlainText
            text: qsTr("各部门待办")
            color: Style.muted
            font.family: Style.family
            font.pixelSize: Style.small
        }
        ListView {
            objectName: "followupDepartments"
            Layout.fillWidth: true
            Layout.preferredHeight: Math.min(contentHeight, 150)
            clip: true
            model: panel.departments.length
            delegate: RowLayout {
                required property int index
                readonly property var modelData: panel.departments[index] || ({})
                width: ListView.view.width
                Text {
                    Layout.fillWidth: true
                    text: modelData.name
                    textFormat: Text.PlainText
                    elide: Text.ElideRight
                    color: Style.text
                    font.family: Style.family
                    font.pixelSize: Style.normal
                }
                Text {
                    textFormat: Text.PlainText
                    text: modelData.overdue > 0 ? qsTr("待办 %1 · 逾期 %2").arg(modelData.open).arg(modelData.overdue)
                                                : qsTr("待办 %1").arg(modelData.open)
                    color: modelData.overdue > 0 ? Style.program : Style.muted
                    font.family: Style.family
                    font.pixelSize: Style.normal
                }
            }
        }
        Text {
            textFormat: Text.PlainText
            text: qsTr("部门最新答复")
            color: Style.muted
            font.family: Style.family
            font.pixelSize: Style.small
        }
        ListView {
            objectName: "followupReplies"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            spacing: 4
            model: panel.replies.length
            delegate: Rectangle {
                required property int index
                readonly property var modelData: panel.replies[index] || ({})
                width: ListView.view.width
                height: replyText.implicitHeight + 12
                radius: Style.radius
                color: Style.raised
                Text {
                    id: replyText
                    x: 8
                    y: 6
                    width: parent.width - 16
                    text: modelData.department + "：" + modelData.text
                    textFormat: Text.PlainText
                    wrapMode: Text.Wrap
                    maximumLineCount: 2
                    elide: Text.ElideRight
                    color: Style.text
                    font.family: Style.family
                    font.pixelSize: Style.normal
                }
            }
        }
        Text {
            textFormat: Text.PlainText
            Layout.fillWidth: true
            text: qsTr("转交网友提问、记录承诺：网页导播台 /producer/，速记页 Alt+P")
            wrapMode: Text.Wrap
            color: Style.muted
            font.family: Style.family
            font.pixelSize: Style.small
        }
    }
}
