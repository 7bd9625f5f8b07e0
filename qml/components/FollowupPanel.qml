// 问政跟踪 in the console: a promise made on air recorded as it is said
// (followup.commit: what, which department, by when, tied to the question on
// air and to this moment of the show); how many items are open and overdue,
// which departments are late, and the departments' latest replies — read
// from the studio's status (followup), as /api/status has it. Forwarding the
// unanswered questions after the show is on the web producer page
// (/producer/); the typist marks a promise from its line with Alt+P.
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
    // Every department a promise may go to (followup.departments), read when
    // the desk is shown: one may have been added since.
    property var allDepartments: []
    property int departmentsRequest: -1
    property int commitRequest: -1
    property string commitNote: ""
    property bool commitFailed: false

    // Ctrl+5: the keyboard to the promise's words.
    function focusFirst() {
        promiseText.forceActiveFocus(Qt.TabFocusReason)
    }
    function loadDepartments() {
        departmentsRequest = studio.send({ type: "followup.departments" })
    }
    function record() {
        const text = promiseText.text.trim()
        const department = allDepartments[departmentBox.currentIndex]
        if (text === "" || !department || commitRequest !== -1)
            return
        const due = dueField.text.trim()
        const fields = { type: "followup.commit", text: text, department: department.id,
                         due: /^[0-9]+$/.test(due) ? Number(due) : due }
        if (withOnAir.checked && studio.onAir && studio.onAir.id)
            fields.question = studio.onAir.id
        commitRequest = studio.send(fields)
    }
    onVisibleChanged: if (visible) loadDepartments()
    Component.onCompleted: loadDepartments()
    Connections {
        target: studio
        function onReplied(id, reply) {
            if (id === panel.departmentsRequest) {
                panel.departmentsRequest = -1
                panel.allDepartments = reply.departments || []
            } else if (id === panel.commitRequest) {
                panel.commitRequest = -1
                panel.commitFailed = false
                panel.commitNote = qsTr("已记录承诺 #%1，截止 %2").arg(reply.item.id).arg(reply.item.due)
                promiseText.text = ""
            }
        }
        function onFailed(id, code, message) {
            if (id === panel.commitRequest) {
                panel.commitRequest = -1
                panel.commitFailed = true
                panel.commitNote = qsTr("未能记录：%1").arg(message)
            } else if (id === panel.departmentsRequest) {
                panel.departmentsRequest = -1
            }
        }
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: 6
        spacing: 6
        Text {
            textFormat: Text.PlainText
            text: qsTr("记录承诺")
            color: Style.muted
            font.family: Style.family
            font.pixelSize: Style.small
            font.bold: true
        }
        TextField {
            id: promiseText
            objectName: "followup-promise"
            Layout.fillWidth: true
            placeholderText: qsTr("承诺了什么（如：安置房办证年底前全部办结）")
            font.family: Style.family
            font.pixelSize: Style.normal
            maximumLength: 300
            onAccepted: panel.record()
        }
        RowLayout {
            Layout.fillWidth: true
            spacing: 6
            ComboBox {
                id: departmentBox
                objectName: "followup-department"
                Layout.fillWidth: true
                model: panel.allDepartments.map(d => d.name)
                font.family: Style.family
                displayText: currentIndex < 0 ? qsTr("哪个部门") : currentText
            }
            TextField {
                id: dueField
                objectName: "followup-due"
                Layout.preferredWidth: 150
                placeholderText: qsTr("截止日期或工作日数")
                font.family: Style.family
                font.pixelSize: Style.normal
                maximumLength: 10
                onAccepted: panel.record()
            }
        }
        RowLayout {
            Layout.fillWidth: true
            spacing: 6
            ConsoleButton {
                id: withOnAir
                objectName: "followup-with-on-air"
                checkable: true
                checked: true
                tint: Style.program
                enabled: Boolean(studio.onAir && studio.onAir.id)
                text: studio.onAir && studio.onAir.id ? qsTr("关联在播提问 #%1").arg(studio.onAir.id)
                                                      : qsTr("没有在播提问")
            }
            Item { Layout.fillWidth: true }
            ConsoleButton {
                objectName: "followup-record"
                text: qsTr("记录")
                enabled: promiseText.text.trim() !== "" && departmentBox.currentIndex >= 0
                         && dueField.text.trim() !== "" && panel.commitRequest === -1
                onClicked: panel.record()
            }
        }
        Text {
            textFormat: Text.PlainText
            objectName: "followupCommitNote"
            Layout.fillWidth: true
            visible: panel.commitNote !== ""
            text: panel.commitNote
            wrapMode: Text.Wrap
            color: panel.commitFailed ? Style.program : Style.text
            font.family: Style.family
            font.pixelSize: Style.small
        }
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
            text: qsTr("会后转交未答复的网友提问：网页导播台 /producer/；速记页 Alt+P 把刚录入的一句记为承诺")
            wrapMode: Text.Wrap
            color: Style.muted
            font.family: Style.family
            font.pixelSize: Style.small
        }
    }
}
