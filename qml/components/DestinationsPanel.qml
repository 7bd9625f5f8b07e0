// Partner sites: state colour, bitrate over the last minute, reconnects,
// the last error; start or stop each; add, edit (a key left empty is kept)
// or remove one. Keys are never shown, only masked.
import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Layouts
import Yishiting 1.0

Item {
    id: panel
    readonly property var destinations: studio.status.destinations || []

    // Ctrl+4: the keyboard to Add (then Tab, or Shift+Tab back through the
    // destinations' buttons).
    function focusFirst() {
        addButton.forceActiveFocus(Qt.TabFocusReason)
    }
    function stateColour(d) {
        if (!d.enabled) return Style.muted
        return d.state === "live" ? Style.preview : d.state === "connecting" ? Style.warning : Style.program
    }
    function stateText(d) {
        if (!d.enabled) return qsTr("已停止")
        return d.state === "live" ? qsTr("推流中") : d.state === "connecting" ? qsTr("连接中")
             : d.state === "retrying" ? qsTr("重连中") : d.state === "failed" ? qsTr("失败") : d.state
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: 6
        spacing: 6
        ListView {
            objectName: "destinations"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            spacing: 6
            model: panel.destinations.length
            delegate: Rectangle {
                required property int index
                readonly property var modelData: panel.destinations[index] || ({})
                width: ListView.view.width
                height: 74
                radius: Style.radius
                color: Style.raised
                border.color: Style.line
                Rectangle {
                    width: 5
                    height: parent.height
                    radius: 2
                    color: panel.stateColour(modelData)
                }
                Column {
                    x: 14
                    y: 8
                    width: parent.width - 240
                    spacing: 2
                    Text {
                        text: modelData.name + "  ·  " + panel.stateText(modelData)
                        textFormat: Text.PlainText
                        color: Style.text
                        font.family: Style.family
                        font.pixelSize: Style.normal
                        font.bold: true
                        elide: Text.ElideRight
                        width: parent.width
                    }
                    Text {
                        // key_masked says only whether a key is set.
                        text: modelData.url + (modelData.key_masked ? "  " + qsTr("密钥已设置") : "")
                        textFormat: Text.PlainText
                        color: Style.muted
                        font.family: Style.family
                        font.pixelSize: Style.small
                        elide: Text.ElideMiddle
                        width: parent.width
                    }
                    Text {
                        text: qsTr("%1 kbps · 重连 %2 次").arg(Math.round(modelData.bitrate_kbps || 0)).arg(modelData.reconnects || 0)
                              + (modelData.last_error ? " · " + modelData.last_error : "")
                        textFormat: Text.PlainText
                        color: modelData.last_error && modelData.state !== "live" ? Style.warning : Style.muted
                        font.family: Style.family
                        font.pixelSize: Style.small
                        elide: Text.ElideRight
                        width: parent.width
                    }
                }
                Sparkline {
                    anchors.right: buttons.left
                    anchors.rightMargin: 8
                    anchors.verticalCenter: parent.verticalCenter
                    width: 90
                    height: 36
                    samples: studio.bitrateHistory[modelData.id] || []
                    colour: panel.stateColour(modelData)
                }
                Column {
                    id: buttons
                    anchors.right: parent.right
                    anchors.rightMargin: 8
                    anchors.verticalCenter: parent.verticalCenter
                    spacing: 4
                    Row {
                        spacing: 4
                        ConsoleButton {
                            text: modelData.enabled ? qsTr("停止") : qsTr("开始")
                            implicitHeight: 28
                            onClicked: studio.send({ type: modelData.enabled ? "destination.stop" : "destination.start", destination: modelData.id })
                        }
                        ConsoleButton {
                            text: qsTr("编辑")
                            implicitHeight: 28
                            onClicked: editor.openFor(modelData)
                        }
                    }
                    ConsoleButton {
                        text: qsTr("删除")
                        implicitHeight: 28
                        onClicked: { removeConfirm.target = modelData; removeConfirm.open() }
                    }
                }
            }
        }
        ConsoleButton {
            id: addButton
            text: qsTr("添加目的地")
            onClicked: editor.openFor(null)
        }
    }

    ConsoleDialog {
        id: removeConfirm
        property var target: ({})
        title: qsTr("删除目的地")
        modal: true
        anchors.centerIn: parent
        standardButtons: Dialog.Yes | Dialog.No
        Text {
            text: qsTr("停止向“%1”推流并删除？").arg(removeConfirm.target.name || "")
            textFormat: Text.PlainText
            color: Style.text
            font.family: Style.family
        }
        onAccepted: studio.send({ type: "destination.remove", destination: target.id })
    }

    ConsoleDialog {
        id: editor
        property var editing: null
        function openFor(d) {
            editing = d
            idField.text = d ? d.id : ""
            nameField.text = d ? d.name : ""
            urlField.text = d ? d.url : ""
            keyField.text = ""
            open()
        }
        title: editing ? qsTr("编辑目的地") : qsTr("添加目的地")
        modal: true
        anchors.centerIn: parent
        width: 520
        standardButtons: Dialog.Save | Dialog.Cancel
        GridLayout {
            anchors.fill: parent
            columns: 2
            Label { text: qsTr("编号"); textFormat: Text.PlainText }
            TextField { id: idField; Layout.fillWidth: true; enabled: !editor.editing; placeholderText: "zjol" }
            Label { text: qsTr("名称"); textFormat: Text.PlainText }
            TextField { id: nameField; Layout.fillWidth: true; placeholderText: qsTr("浙江在线") }
            Label { text: qsTr("地址"); textFormat: Text.PlainText }
            TextField { id: urlField; Layout.fillWidth: true; placeholderText: "rtmp://host/app" }
            Item { width: 1; height: 1; visible: urlHint.visible }
            Text {
                id: urlHint
                // The address as shown has its secrets masked: a changed one
                // must be written out whole.
                visible: !!editor.editing && urlField.text.indexOf("***") >= 0
                text: qsTr("*** 是隐藏的部分：改地址时请填写完整地址")
                textFormat: Text.PlainText
                color: Style.muted
                font.family: Style.family
                font.pixelSize: Style.small
                Layout.fillWidth: true
                wrapMode: Text.Wrap
            }
            Label { text: qsTr("推流密钥"); textFormat: Text.PlainText }
            TextField {
                id: keyField
                Layout.fillWidth: true
                echoMode: TextInput.Password
                // A key is kept only for the same server (else key_required).
                placeholderText: editor.editing && editor.editing.key_masked ? qsTr("已设置，留空不变（换服务器须重填）") : ""
            }
        }
        onAccepted: {
            if (editing) {
                // The address as shown is masked: sent back only when changed.
                const update = { type: "destination.update", destination: editing.id, name: nameField.text }
                if (urlField.text !== editing.url)
                    update.url = urlField.text
                if (keyField.text !== "")
                    update.key = keyField.text
                studio.send(update)
                return
            }
            const add = { type: "destination.add", destination: idField.text, name: nameField.text, url: urlField.text }
            if (keyField.text !== "")
                add.key = keyField.text
            studio.send(add)
        }
    }
}
