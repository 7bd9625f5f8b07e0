// Moderation, keyboard first: ↑/↓ pick a question, ←/→ switch between the
// pending list and the air queue; A approve, R reject (then a reason key),
// E edit, M merge into the question it duplicates, O on air, F off air,
// D answered, Alt+↑/↓ move in the queue, U undo the last action. Under
// the lists, the selected question's card as viewers will see it on air.
import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Layouts
import Yishiting 1.0

FocusScope {
    id: panel
    property int selectedId: 0
    property string column: "pending"    // "pending" | "approved"
    property bool rejecting: false
    readonly property var currentList: column === "pending" ? studio.pending : studio.approved
    readonly property var selected: find(selectedId)

    function find(id) {
        const lists = [studio.pending, studio.approved, studio.recent]
        for (let l = 0; l < lists.length; ++l)
            for (let i = 0; i < lists[l].length; ++i)
                if (lists[l][i].id === id)
                    return lists[l][i]
        if (studio.onAir && studio.onAir.id === id)
            return studio.onAir
        return null
    }
    function indexIn(list, id) {
        for (let i = 0; i < list.length; ++i)
            if (list[i].id === id)
                return i
        return -1
    }
    function select(list, index) {
        if (list.length === 0) {
            selectedId = 0
            return
        }
        selectedId = list[Math.max(0, Math.min(list.length - 1, index))].id
    }
    function step(delta) {
        select(currentList, indexIn(currentList, selectedId) + delta)
    }
    function command(type, extra) {
        const c = Object.assign({ type: type }, extra || {})
        return studio.send(c)
    }
    function act(type) {
        if (!selected)
            return
        command(type, { question: selected.id })
    }
    function move(delta) {
        if (!selected || selected.status !== "approved")
            return
        const index = indexIn(studio.approved, selected.id)
        command("question.move", { question: selected.id, position: Math.max(0, index + delta) })
    }
    function merge() {
        if (selected && selected.duplicate_of)
            command("question.merge", { question: selected.id, into: selected.duplicate_of })
    }
    function reject(reason) {
        rejecting = false
        if (selected)
            command("question.reject", { question: selected.id, reason: reason })
    }

    // Keep a selection that still exists; otherwise the first of the list.
    Connections {
        target: studio
        function onQuestionsChanged() {
            if (!panel.find(panel.selectedId) || (panel.selected && panel.selected.status !== "pending"
                    && panel.selected.status !== "approved" && panel.column === "pending"))
                panel.select(panel.currentList, 0)
        }
    }
    Component.onCompleted: select(currentList, 0)

    Keys.onPressed: function(event) {
        if (rejecting) {
            const reasons = { "1": "off_topic", "2": "duplicate", "3": "abusive",
                              "4": "personal_info", "5": "spam", "6": "other" }
            if (reasons[event.text] !== undefined)
                reject(reasons[event.text])
            else if (event.key === Qt.Key_Escape)
                rejecting = false
            event.accepted = true
            return
        }
        const alt = event.modifiers & Qt.AltModifier
        switch (event.key) {
        case Qt.Key_Up: alt ? move(-1) : step(-1); break
        case Qt.Key_Down: alt ? move(1) : step(1); break
        case Qt.Key_Left: column = "pending"; select(currentList, 0); break
        case Qt.Key_Right: column = "approved"; select(currentList, 0); break
        case Qt.Key_A: act("question.approve"); break
        case Qt.Key_R: if (selected) rejecting = true; break
        case Qt.Key_E: if (selected) editor.openFor(selected); break
        case Qt.Key_M: merge(); break
        case Qt.Key_O: act("question.on_air"); break
        case Qt.Key_F: command("question.off_air"); break
        case Qt.Key_D: command("question.answered"); break
        case Qt.Key_U: command("question.undo"); break
        default: return
        }
        event.accepted = true
    }

    // One list of questions. Delegates are made by count and read their
    // question by index, so a change updates cards in place (and keeps the
    // list where it was scrolled).
    component QuestionColumn: Rectangle {
        id: questionColumn
        property string key
        property string title
        property var list: []
        Layout.fillWidth: true
        Layout.fillHeight: true
        color: "transparent"
        border.color: panel.column === key ? Style.line : "transparent"
        radius: Style.radius
        Text {
            x: 6
            y: 4
            text: questionColumn.title
            textFormat: Text.PlainText
            color: panel.column === questionColumn.key ? Style.text : Style.muted
            font.family: Style.family
            font.pixelSize: Style.small
            font.bold: true
        }
        ListView {
            objectName: "questions-" + questionColumn.key
            anchors.fill: parent
            anchors.topMargin: 24
            anchors.margins: 4
            clip: true
            spacing: 4
            model: questionColumn.list.length
            delegate: QuestionCard {
                required property int index
                readonly property var entry: questionColumn.list[index] || ({})
                question: entry
                selected: entry.id === panel.selectedId
                onClicked: {
                    panel.column = entry.status === "pending" ? "pending" : "approved"
                    panel.selectedId = entry.id
                    panel.forceActiveFocus()
                }
            }
        }
    }

    Rectangle {
        anchors.fill: parent
        color: "transparent"
        border.color: panel.activeFocus ? Style.accent : "transparent"
        radius: Style.radius
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: 6
        spacing: 6

        // On air now.
        Rectangle {
            Layout.fillWidth: true
            implicitHeight: onAirColumn.implicitHeight + 16
            radius: Style.radius
            color: studio.onAir.id ? "#3a1518" : Style.raised
            border.color: studio.onAir.id ? Style.program : Style.line
            Column {
                id: onAirColumn
                x: 10
                y: 8
                width: parent.width - 20
                spacing: 4
                Text {
                    text: studio.onAir.id ? qsTr("正在回答 · #%1 · %2").arg(studio.onAir.id)
                                                .arg(studio.onAir.nickname || qsTr("网友"))
                                          : qsTr("没有正在回答的问题")
                    textFormat: Text.PlainText
                    color: studio.onAir.id ? Style.program : Style.muted
                    font.family: Style.family
                    font.pixelSize: Style.small
                    font.bold: true
                }
                Text {
                    objectName: "console-on-air-text"
                    visible: !!studio.onAir.id
                    width: parent.width
                    text: studio.onAir.text || ""
                    textFormat: Text.PlainText
                    wrapMode: Text.Wrap
                    color: Style.text
                    font.family: Style.family
                    font.pixelSize: Style.normal + 1
                }
            }
        }

        RowLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            spacing: 6
            QuestionColumn {
                key: "pending"
                title: qsTr("待审 %1").arg(studio.pending.length)
                list: studio.pending
            }
            QuestionColumn {
                key: "approved"
                title: qsTr("播出队列 %1").arg(studio.approved.length)
                list: studio.approved
            }
        }

        // How the selected question's card will look on air, drawn by the
        // program's renderer in the theme on air.
        Rectangle {
            Layout.fillWidth: true
            visible: !!panel.selected
            implicitHeight: cardImage.paintedHeight + 34
            radius: Style.radius
            color: "#05070a"
            border.color: Style.line
            Text {
                x: 8
                y: 5
                text: qsTr("上屏效果")
                textFormat: Text.PlainText
                color: Style.muted
                font.family: Style.family
                font.pixelSize: Style.small
            }
            Image {
                id: cardImage
                objectName: "card-preview"
                x: 8
                y: 26
                width: parent.width - 16
                fillMode: Image.PreserveAspectFit
                asynchronous: false
                cache: false
                source: panel.selected
                        ? "image://graphics/card/" + panel.selected.id + "/" + (panel.selected.edits ? panel.selected.edits.length : 0)
                          + "/" + (studio.status.overlay ? studio.status.overlay.theme : "")
                        : ""
            }
        }

        // The selected question: actions.
        Rectangle {
            Layout.fillWidth: true
            implicitHeight: actions.implicitHeight + 12
            color: Style.raised
            radius: Style.radius
            ButtonRow {
                id: actions
                objectName: "question-actions"
                x: 6
                y: 6
                width: parent.width - 12
                spacing: 4
                ConsoleButton { objectName: "question-approve"; text: qsTr("通过"); hint: "A"; enabled: !!panel.selected; onClicked: panel.act("question.approve") }
                ConsoleButton { objectName: "question-reject"; text: qsTr("拒绝"); hint: "R"; enabled: !!panel.selected; onClicked: panel.rejecting = true }
                ConsoleButton { objectName: "question-edit"; text: qsTr("编辑"); hint: "E"; enabled: !!panel.selected; onClicked: editor.openFor(panel.selected) }
                ConsoleButton { objectName: "question-merge"; text: qsTr("合并"); hint: "M"; enabled: !!(panel.selected && panel.selected.duplicate_of); onClicked: panel.merge() }
                ConsoleButton { objectName: "question-on-air"; text: qsTr("上屏"); hint: "O"; tint: Style.program; enabled: !!panel.selected; onClicked: panel.act("question.on_air") }
                ConsoleButton { objectName: "question-off-air"; text: qsTr("撤下"); hint: "F"; enabled: !!studio.onAir.id; onClicked: panel.command("question.off_air") }
                ConsoleButton { objectName: "question-answered"; text: qsTr("已回答"); hint: "D"; enabled: !!studio.onAir.id; onClicked: panel.command("question.answered") }
                ConsoleButton { objectName: "question-undo"; text: qsTr("撤销"); hint: "U"; onClicked: panel.command("question.undo") }
            }
        }
        Text {
            Layout.fillWidth: true
            visible: panel.rejecting
            text: qsTr("拒绝原因：1 离题  2 重复  3 辱骂  4 个人信息  5 广告  6 其他  （Esc 取消）")
            textFormat: Text.PlainText
            color: Style.warning
            font.family: Style.family
            font.pixelSize: Style.small
            wrapMode: Text.Wrap
        }
        Text {
            Layout.fillWidth: true
            visible: studio.lastAction !== ""
            text: qsTr("最近操作：%1").arg(studio.lastAction)
            textFormat: Text.PlainText
            color: Style.muted
            font.family: Style.family
            font.pixelSize: Style.small
            elide: Text.ElideRight
        }
    }

    ConsoleDialog {
        id: editor
        property int questionId: 0
        function openFor(q) {
            if (!q)
                return
            questionId = q.id
            editText.text = q.text
            open()
            editText.forceActiveFocus()
        }
        title: qsTr("编辑提问 #%1").arg(questionId)
        modal: true
        anchors.centerIn: parent
        width: 520
        standardButtons: Dialog.Save | Dialog.Cancel
        TextArea {
            textFormat: TextEdit.PlainText
            id: editText
            anchors.fill: parent
            implicitHeight: 120
            wrapMode: TextEdit.Wrap
            font.family: Style.family
            font.pixelSize: Style.normal
        }
        onAccepted: panel.command("question.edit", { question: questionId, text: editText.text })
        onClosed: panel.forceActiveFocus()
    }
}
