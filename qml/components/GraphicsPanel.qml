// Broadcast graphics: the people's lower-thirds (left or right, edited
// live), the question card, bug, clock, QR code, the ticker, the slates and
// the theme — the same overlay.* commands the web console sends.
import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Layouts
import Yishiting 1.0

Flickable {
    id: panel
    readonly property var overlay: studio.status.overlay || ({})
    readonly property var lowerThirds: overlay.lower_thirds || ({})
    function send(type, fields) {
        studio.send(Object.assign({ type: type }, fields || {}))
    }
    // Ctrl+2: the keyboard to the first control (then Tab).
    function focusFirst() {
        firstControl.forceActiveFocus(Qt.TabFocusReason)
    }
    function onSide(person, side) {
        const lt = lowerThirds[side]
        return !!lt && lt.person === person
    }

    contentHeight: column.implicitHeight + 12
    clip: true
    boundsBehavior: Flickable.StopAtBounds

    ColumnLayout {
        id: column
        width: panel.width - 12
        x: 6
        y: 6
        spacing: 8

        Text { text: qsTr("字幕条"); textFormat: Text.PlainText; color: Style.muted; font.family: Style.family; font.pixelSize: Style.small; font.bold: true }
        Repeater {
            model: (panel.overlay.people || []).length
            delegate: RowLayout {
                required property int index
                readonly property var modelData: panel.overlay.people[index] || ({})
                Layout.fillWidth: true
                spacing: 6
                TextField {
                    id: nameField
                    Layout.preferredWidth: 90
                    text: modelData.name
                    font.family: Style.family
                    onEditingFinished: if (text !== modelData.name) panel.send("overlay.lower_third", { person: modelData.person, name: text })
                }
                TextField {
                    Layout.fillWidth: true
                    text: modelData.title
                    font.family: Style.family
                    onEditingFinished: if (text !== modelData.title) panel.send("overlay.lower_third", { person: modelData.person, title: text })
                }
                ConsoleButton {
                    objectName: "lt-" + modelData.person + "-left"
                    text: qsTr("左")
                    checkable: true
                    checked: panel.onSide(modelData.person, "left")
                    tint: Style.program
                    onClicked: panel.send("overlay.lower_third", { person: modelData.person, side: "left", visible: !panel.onSide(modelData.person, "left") })
                }
                ConsoleButton {
                    objectName: "lt-" + modelData.person + "-right"
                    text: qsTr("右")
                    checkable: true
                    checked: panel.onSide(modelData.person, "right")
                    tint: Style.program
                    onClicked: panel.send("overlay.lower_third", { person: modelData.person, side: "right", visible: !panel.onSide(modelData.person, "right") })
                }
            }
        }

        Text { text: qsTr("画面元素"); textFormat: Text.PlainText; color: Style.muted; font.family: Style.family; font.pixelSize: Style.small; font.bold: true }
        Flow {
            Layout.fillWidth: true
            spacing: 6
            ConsoleButton {
                objectName: "graphics-card"
                text: qsTr("提问卡")
                checkable: true
                enabled: !!(panel.overlay.card && panel.overlay.card.question)
                checked: !!(panel.overlay.card && panel.overlay.card.visible)
                tint: Style.program
                onClicked: panel.send("overlay.card", { visible: !(panel.overlay.card && panel.overlay.card.visible) })
            }
            ConsoleButton {
                id: firstControl  // always enabled, unlike the card's
                objectName: "graphics-bug"
                text: qsTr("台标")
                checkable: true
                checked: !!(panel.overlay.bug && panel.overlay.bug.visible)
                tint: Style.program
                onClicked: panel.send("overlay.bug", { visible: !(panel.overlay.bug && panel.overlay.bug.visible) })
            }
            ConsoleButton {
                objectName: "graphics-clock"
                text: qsTr("时钟")
                checkable: true
                checked: !!(panel.overlay.clock && panel.overlay.clock.visible)
                tint: Style.program
                onClicked: panel.send("overlay.clock", { visible: !(panel.overlay.clock && panel.overlay.clock.visible) })
            }
            ConsoleButton {
                text: qsTr("二维码")
                checkable: true
                checked: !!(panel.overlay.qr && panel.overlay.qr.visible)
                tint: Style.program
                onClicked: panel.send("overlay.qr", { visible: !(panel.overlay.qr && panel.overlay.qr.visible) })
            }
            ConsoleButton {
                text: qsTr("全部撤下")
                onClicked: panel.send("overlay.clear")
            }
        }

        Text { text: qsTr("滚动字幕"); textFormat: Text.PlainText; color: Style.muted; font.family: Style.family; font.pixelSize: Style.small; font.bold: true }
        RowLayout {
            Layout.fillWidth: true
            TextField {
                id: tickerText
                Layout.fillWidth: true
                placeholderText: qsTr("滚动字幕内容")
                text: panel.overlay.ticker ? panel.overlay.ticker.text : ""
                font.family: Style.family
                maximumLength: 200
                onAccepted: panel.send("overlay.ticker", { text: text, visible: true })
            }
            ConsoleButton {
                text: qsTr("上屏")
                checkable: true
                checked: !!(panel.overlay.ticker && panel.overlay.ticker.visible)
                tint: Style.program
                onClicked: panel.send("overlay.ticker", { text: tickerText.text, visible: !(panel.overlay.ticker && panel.overlay.ticker.visible) })
            }
        }

        Text { text: qsTr("垫片"); textFormat: Text.PlainText; color: Style.muted; font.family: Style.family; font.pixelSize: Style.small; font.bold: true }
        RowLayout {
            Layout.fillWidth: true
            readonly property string kind: panel.overlay.slate ? panel.overlay.slate.kind : "none"
            id: slates
            ConsoleButton { text: qsTr("无"); checkable: true; checked: slates.kind === "none"; onClicked: panel.send("overlay.slate", { slate: "none" }) }
            ConsoleButton {
                text: qsTr("即将开始")
                checkable: true
                checked: slates.kind === "starting"
                tint: Style.program
                onClicked: panel.send("overlay.slate", { slate: "starting", countdown_s: minutes.value * 60 })
            }
            SpinBox { id: minutes; from: 0; to: 120; value: 5; implicitWidth: 90; focusPolicy: Qt.ClickFocus; font.family: Style.family }
            Text { text: qsTr("分钟"); textFormat: Text.PlainText; color: Style.muted; font.family: Style.family; font.pixelSize: Style.small }
            ConsoleButton { text: qsTr("稍后回来"); checkable: true; checked: slates.kind === "hold"; tint: Style.program; onClicked: panel.send("overlay.slate", { slate: "hold" }) }
        }
        Text {
            visible: !!panel.overlay.program_silenced
            text: qsTr("节目声音已静音（稍后回来）")
            textFormat: Text.PlainText
            color: Style.warning
            font.family: Style.family
            font.pixelSize: Style.small
        }

        Text { text: qsTr("主题"); textFormat: Text.PlainText; color: Style.muted; font.family: Style.family; font.pixelSize: Style.small; font.bold: true }
        // Each theme with the host's lower-third drawn in it: what a switch
        // would put on air.
        Flow {
            Layout.fillWidth: true
            spacing: 8
            Repeater {
                model: (panel.overlay.themes || []).length
                delegate: Column {
                    required property int index
                    readonly property string modelData: panel.overlay.themes[index] || ""
                    spacing: 4
                    Rectangle {
                        width: 230
                        height: 56
                        color: "#05070a"
                        radius: 4
                        border.width: panel.overlay.theme === modelData ? 2 : 1
                        border.color: panel.overlay.theme === modelData ? Style.program : Style.line
                        Image {
                            objectName: "theme-preview-" + modelData
                            anchors.fill: parent
                            anchors.margins: 4
                            fillMode: Image.PreserveAspectFit
                            asynchronous: false
                            source: modelData !== "" ? "image://graphics/lower_third/host/" + modelData : ""
                        }
                    }
                    ConsoleButton {
                        text: modelData
                        checkable: true
                        checked: panel.overlay.theme === modelData
                        onClicked: panel.send("overlay.theme", { theme: modelData })
                    }
                }
            }
        }
    }
}
