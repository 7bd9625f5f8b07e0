// The typist's panel (速记), as on /typist/: F1, F2, F3… pick the speaker,
// Enter commits the line timed from its first keystroke, a click on a line
// corrects it (the original is kept) or deletes it.
import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Layouts
import Yishiting 1.0

FocusScope {
    id: panel
    property string speaker: "host"
    property double typingSince: 0

    function speakerName(s) {
        for (let i = 0; i < studio.speakers.length; ++i)
            if (studio.speakers[i].speaker === s)
                return studio.speakers[i].name
        return s
    }
    function commit() {
        const text = input.text.trim()
        if (text === "")
            return
        const typing = typingSince > 0 ? Math.min(600000, Date.now() - typingSince) : 0
        studio.send({ type: "transcript.commit", speaker: speaker, text: text, typing_ms: typing })
        input.text = ""
        typingSince = 0
    }

    Keys.onPressed: function(event) {
        const index = event.key - Qt.Key_F1
        if (index >= 0 && index < 12 && index < studio.speakers.length) {
            speaker = studio.speakers[index].speaker
            event.accepted = true
        }
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: 6
        spacing: 6
        Flow {
            Layout.fillWidth: true
            spacing: 4
            Repeater {
                model: studio.speakers.length
                delegate: ConsoleButton {
                    required property int index
                    readonly property var modelData: studio.speakers[index] || ({})
                    objectName: "speaker-" + modelData.speaker
                    text: modelData.name
                    hint: "F" + (index + 1)
                    checkable: true
                    checked: panel.speaker === modelData.speaker
                    onClicked: { panel.speaker = modelData.speaker; input.forceActiveFocus() }
                }
            }
        }
        ListView {
            id: list
            objectName: "transcript-lines"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            spacing: 2
            model: studio.lines.length
            onCountChanged: positionViewAtEnd()
            delegate: Rectangle {
                required property int index
                readonly property var modelData: studio.lines[index] || ({})
                width: list.width
                height: lineText.implicitHeight + 10
                color: modelData.kind === "question" ? "#2e2616" : (lineMouse.containsMouse ? Style.raised : "transparent")
                radius: 3
                Text {
                    id: lineText
                    x: 6
                    y: 5
                    width: parent.width - 12
                    text: studio.timecode(modelData.start_ms) + "  " + (modelData.kind === "question" ? "" : (modelData.speaker_name + "：")) + modelData.text
                    textFormat: Text.PlainText
                    wrapMode: Text.Wrap
                    color: modelData.kind === "question" ? Style.question : Style.text
                    font.family: Style.family
                    font.pixelSize: Style.normal
                }
                MouseArea {
                    id: lineMouse
                    anchors.fill: parent
                    hoverEnabled: true
                    onClicked: if (modelData.kind !== "question") corrector.openFor(modelData)
                }
            }
        }
        RowLayout {
            Layout.fillWidth: true
            Text {
                text: panel.speakerName(panel.speaker) + "："
                textFormat: Text.PlainText
                color: Style.accent
                font.family: Style.family
                font.pixelSize: Style.normal
                font.bold: true
            }
            TextField {
                id: input
                objectName: "transcript-input"
                Layout.fillWidth: true
                focus: true
                placeholderText: qsTr("输入所说的话，回车提交")
                font.family: Style.family
                font.pixelSize: Style.normal
                maximumLength: 1000
                onTextEdited: if (panel.typingSince === 0 && text !== "") panel.typingSince = Date.now()
                onAccepted: panel.commit()
            }
        }
    }

    ConsoleDialog {
        id: corrector
        property var line: ({})
        function openFor(l) {
            line = l
            correction.text = l.text
            open()
            correction.forceActiveFocus()
        }
        title: qsTr("更正 · %1 %2").arg(studio.timecode(line.start_ms || 0)).arg(line.speaker_name || "")
        modal: true
        anchors.centerIn: parent
        width: 560
        standardButtons: Dialog.Save | Dialog.Discard | Dialog.Cancel
        TextArea {
            textFormat: TextEdit.PlainText
            id: correction
            anchors.fill: parent
            implicitHeight: 110
            wrapMode: TextEdit.Wrap
            font.family: Style.family
        }
        onAccepted: studio.send({ type: "transcript.edit", line: line.id, text: correction.text })
        onDiscarded: {
            studio.send({ type: "transcript.delete", line: line.id })
            close()
        }
        onClosed: input.forceActiveFocus()
    }
}
